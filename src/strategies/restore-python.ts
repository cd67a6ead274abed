// The Python snippet stored in every HDF5 file's `restore_python` root attribute and shown in the app.
// It depends only on the file contract (DESIGN.md §3), so it restores any file we write.

export interface SnippetOptions {
  /** The data need a plugin filter: `import hdf5plugin` registers it with h5py. */
  hdf5plugin?: boolean;
}

export function restorePythonSnippet(fileName: string, opts: SnippetOptions = {}): string {
  return `import h5py, numpy as np
${opts.hdf5plugin ? 'import hdf5plugin  # registers the compression filter with h5py\n' : ''}
with h5py.File(${JSON.stringify(fileName)}, "r") as f:
    d = f["data"]
    a = d[...]
    if "scale_factor" in d.attrs:  # CF packed integers
        a = a * d.attrs["scale_factor"] + d.attrs["add_offset"]
    if d.attrs["layout"] == "upper-triangle-rowmajor":
        m = int(d.attrs["matrix_size"])
        iu = np.triu_indices(m)
        full = np.empty(a.shape[:-1] + (m, m), dtype=a.dtype)
        full[..., iu[0], iu[1]] = a
        full[..., iu[1], iu[0]] = a
        a = full
    a = a.reshape(tuple(d.attrs["original_shape"]))
print(a.shape, a.dtype)
`;
}

/** For a `.npy` (no attributes): the shape and layout are written into the snippet itself. */
export function restorePythonNpySnippet(
  fileName: string,
  originalShape: readonly number[],
  triangle: boolean,
): string {
  const shape = `(${originalShape.join(', ')}${originalShape.length === 1 ? ',' : ''})`;
  if (!triangle)
    return `import numpy as np\n\na = np.load(${JSON.stringify(fileName)})\nprint(a.shape, a.dtype)\n`;
  const m = originalShape[originalShape.length - 1];
  return `import numpy as np

p = np.load(${JSON.stringify(fileName)})  # upper triangle of each ${m}×${m} matrix, np.triu_indices order
m = ${m}
iu = np.triu_indices(m)
a = np.empty(p.shape[:-1] + (m, m), dtype=p.dtype)
a[..., iu[0], iu[1]] = p
a[..., iu[1], iu[0]] = p
a = a.reshape(${shape})
print(a.shape, a.dtype)
`;
}
