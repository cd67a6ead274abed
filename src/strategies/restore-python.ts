// The Python snippet stored in every HDF5 file's `restore_python` root attribute and shown in the app.
// It depends only on the file contract (docs/FILE-FORMAT.md) plus the file's own layout, and gives back
// the original shape *and dtype* (float32 input comes back as float32, integers are rounded first).
import type { DTypeCode } from '../core/ndarray';
import { numpyDescr } from '../core/ndarray';
import type { LayoutId } from '../layouts/types';
import { layoutOf } from '../layouts/registry';
import { indent } from '../core/text';

export interface SnippetOptions {
  /** The data need a plugin filter: `import hdf5plugin` registers it with h5py. */
  hdf5plugin?: boolean;
  /** The file's layout (its fragment turns the stored values back into full matrices). */
  layout?: LayoutId;
}

export function restorePythonSnippet(fileName: string, opts: SnippetOptions = {}): string {
  const fragment = layoutOf(opts.layout ?? 'full').restorePython;
  return `import h5py, numpy as np
${opts.hdf5plugin ? 'import hdf5plugin  # registers the compression filter with h5py\n' : ''}
with h5py.File(${JSON.stringify(fileName)}, "r") as f:
    d = f["data"]
    a = d[...]
    if "scale_factor" in d.attrs:  # CF packed integers
        a = a * d.attrs["scale_factor"] + d.attrs["add_offset"]
${fragment ? indent(fragment, 4) + '\n' : ''}    a = a.reshape(tuple(d.attrs["original_shape"]))
    dt = np.dtype(d.attrs["original_dtype"])
    a = (np.rint(a) if dt.kind in "iub" else a).astype(dt)
print(a.shape, a.dtype)
`;
}

/** For a `.npy` (no attributes): the shape, dtype and layout are written into the snippet itself. */
export function restorePythonNpySnippet(
  fileName: string,
  originalShape: readonly number[],
  dtype: DTypeCode,
  layout: LayoutId,
): string {
  const shape = `(${originalShape.join(', ')}${originalShape.length === 1 ? ',' : ''})`;
  if (layout === 'full')
    return `import numpy as np\n\na = np.load(${JSON.stringify(fileName)})\nprint(a.shape, a.dtype)\n`;
  const m = originalShape[originalShape.length - 1];
  return `import numpy as np

p = np.load(${JSON.stringify(fileName)})  # upper triangle of each ${m}×${m} matrix, np.triu_indices order
m = ${m}
iu = np.triu_indices(m)
a = np.empty(p.shape[:-1] + (m, m), dtype=p.dtype)
a[..., iu[0], iu[1]] = p
a[..., iu[1], iu[0]] = p
a = a.reshape(${shape}).astype(${JSON.stringify(numpyDescr(dtype))})
print(a.shape, a.dtype)
`;
}
