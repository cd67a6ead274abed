// The Python snippet stored in every HDF5 file's `restore_python` root attribute and shown in the app.
// It depends only on the file contract (DESIGN.md §3), so it restores any file we write.

export function restorePythonSnippet(fileName: string): string {
  return `import h5py, numpy as np

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
