"""Restore an h5squeeze file from the file contract alone (docs/FILE-FORMAT.md) and compare with the original.

usage: restore.py ORIGINAL.npy FILE.h5|FILE.npy  → prints JSON with the stored dtype, the restored
shape and dtype, attributes, the names of the datasets in the file and the max abs error of the
restored array against the original (NaN at the same place counts as equal).
Written independently of the app's code on purpose: it is what a user would write from the docs.
Layouts: full, upper-triangle-rowmajor and used-pairs (either orientation: `pairs_axis` says where the
pairs are, `/pairs` which they are); the result is cast back to `original_dtype` (integers rounded).
"""
import json
import sys

import numpy as np


def unpack_upper(a, m):
    iu = np.triu_indices(m)
    full = np.empty(a.shape[:-1] + (m, m), dtype=a.dtype)
    full[..., iu[0], iu[1]] = a
    full[..., iu[1], iu[0]] = a
    return full


def unpack_pairs(a, pairs, axis, m):
    """Scatter the kept pairs into zero matrices; every pair not stored is 0."""
    a = np.moveaxis(a, axis, -1)
    i, j = pairs[:, 0], pairs[:, 1]
    full = np.zeros(a.shape[:-1] + (m, m), dtype=a.dtype)
    full[..., i, j] = a
    full[..., j, i] = a
    return full


def to_dtype(a, descr):
    dt = np.dtype(descr)
    return (np.rint(a) if dt.kind in "iub" and a.dtype.kind == "f" else a).astype(dt)


def restore_h5(path):
    import h5py

    try:  # registers plugin filters (blosc, lz4, bzip2, zfp, ...) with h5py; files without them don't need it
        import hdf5plugin  # noqa: F401
    except ImportError:
        pass

    with h5py.File(path, "r") as f:
        d = f["data"]
        attrs = {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in d.attrs.items()}
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in attrs.items()}
        stored_dtype = str(d.dtype)
        a = d[...]
        root = {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in f.attrs.items()}
        compression = d.compression
        datasets = sorted(f.keys())
        if "scale_factor" in d.attrs:
            a = a * d.attrs["scale_factor"] + d.attrs["add_offset"]
        layout = d.attrs["layout"]
        if layout == "upper-triangle-rowmajor":
            a = unpack_upper(a, int(d.attrs["matrix_size"]))
        elif layout == "used-pairs":
            a = unpack_pairs(a, f["pairs"][...], int(d.attrs["pairs_axis"]), int(d.attrs["matrix_size"]))
        elif layout != "full":
            raise ValueError("unknown layout %r" % layout)
        a = a.reshape(tuple(int(x) for x in d.attrs["original_shape"]))
        a = to_dtype(a, d.attrs["original_dtype"])
    return a, stored_dtype, attrs, root, compression, datasets


def max_abs_error(orig, restored):
    o = orig.astype(np.float64)
    r = restored.astype(np.float64)
    both_nan = np.isnan(o) & np.isnan(r)
    same_inf = np.isinf(o) & (o == r)
    if o.size == 0:
        return 0.0
    with np.errstate(invalid="ignore"):
        diff = np.abs(o - r)
    diff[both_nan | same_inf] = 0.0
    if np.isnan(diff).any():
        return float("inf")
    return float(diff.max())


def main():
    orig = np.load(sys.argv[1])
    path = sys.argv[2]
    if path.endswith(".npy"):
        a = np.load(path)
        out = {"dtype": str(a.dtype), "attrs": {}, "root": {}, "compression": None, "datasets": []}
        restored = a
        # A triangle-layout .npy has no attributes: the packed last axis holds M(M+1)/2 values.
        m = orig.shape[-1] if orig.ndim >= 2 else 0
        if a.shape != orig.shape and m and a.shape[-1] == m * (m + 1) // 2:
            restored = unpack_upper(a, m).reshape(orig.shape)
    else:
        restored, dtype, attrs, root, compression, datasets = restore_h5(path)
        out = {"dtype": dtype, "attrs": attrs, "root": root, "compression": compression, "datasets": datasets}
    out["maxAbsError"] = max_abs_error(orig, restored) if restored.shape == orig.shape else None
    out["restoredShape"] = list(restored.shape)
    out["restoredDtype"] = restored.dtype.str
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
