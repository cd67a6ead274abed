// The Python snippet stored in a Zarr store's root `.zattrs` (`restore_python`) and shown in the app:
// numpy + zarr, the original shape and dtype back from this very file. The fixedscaleoffset filter
// already decodes quantized values, so unlike the HDF5 snippet there is no scale_factor step.
import type { LayoutId } from '../layouts/types';
import { layoutOf } from '../layouts/registry';
import { indent } from '../core/text';

export function restorePythonZarrSnippet(fileName: string, layout: LayoutId): string {
  const fragment = layoutOf(layout).restorePython;
  return `import numpy as np
import zarr

store = zarr.ZipStore(${JSON.stringify(fileName)}, mode="r")
try:
    f = zarr.open_group(store, mode="r")
    d = f["data"]
    a = d[...]  # quantized values come back as floats: the fixedscaleoffset filter decodes them
${fragment ? indent(fragment, 4) + '\n' : ''}    a = a.reshape(tuple(d.attrs["original_shape"]))
    dt = np.dtype(d.attrs["original_dtype"])
    a = (np.rint(a) if dt.kind in "iub" else a).astype(dt)
finally:
    store.close()
print(a.shape, a.dtype)
`;
}
