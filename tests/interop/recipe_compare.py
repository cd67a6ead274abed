"""Compare two h5squeeze outputs (the app's file and a recipe script's file) for the recipe test.

usage: recipe_compare.py APP_FILE RECIPE_FILE  → prints JSON: per file its dtype, shape, chunks,
filters (id, cd_values as h5py reports them), attributes and their numpy dtypes, root attributes,
the datasets beside /data (dtype, shape, chunks, values), dataset storage bytes, each chunk's offset,
filter mask and bytes, and file bytes; plus
whether the stored values are identical and the max |difference| of the decoded values.
"""
import json
import os
import sys

import numpy as np


def plain(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    return v


def attr_dtype(attrs, name):
    """The attribute's stored type as numpy sees it, plus its shape (strings: variable-length or fixed)."""
    aid = attrs.get_id(name)
    return "%s %s" % (aid.dtype.str, list(aid.shape))


def chunk_list(d):
    """Each stored chunk: [offset, filter mask (bit i set = filter i skipped), bytes]; None if contiguous."""
    if not d.chunks:
        return None
    out = []
    for i in range(d.id.get_num_chunks()):
        c = d.id.get_chunk_info(i)
        out.append([list(c.chunk_offset), c.filter_mask, c.size])
    return out


def describe_h5(path):
    import h5py

    try:
        import hdf5plugin  # noqa: F401  (plugin filters, when installed)
    except ImportError:
        pass
    with h5py.File(path, "r") as f:
        d = f["data"]
        plist = d.id.get_create_plist()
        filters = []
        for i in range(plist.get_nfilters()):
            fid, _flags, cd, _name = plist.get_filter(i)
            filters.append({"id": fid, "cd_values": list(cd)})
        stored = d[...]
        others = {}
        for name, x in f.items():
            if name != "data":
                others[name] = {
                    "dtype": x.dtype.str,
                    "shape": list(x.shape),
                    "chunks": list(x.chunks) if x.chunks else None,
                    "compression": x.compression,
                    "values": x[...].tolist(),
                }
        info = {
            "dtype": str(d.dtype),
            "shape": list(d.shape),
            "chunks": list(d.chunks) if d.chunks else None,
            "filters": filters,
            "attrs": {k: plain(v) for k, v in d.attrs.items()},
            "attr_dtypes": {k: attr_dtype(d.attrs, k) for k in d.attrs},
            "datasets": others,
            "root": {k: plain(v) for k, v in f.attrs.items()},
            "storage_bytes": d.id.get_storage_size(),
            "chunk_list": chunk_list(d),
            "file_bytes": os.path.getsize(path),
        }
        decoded = stored.astype(np.float64)
        if "scale_factor" in d.attrs:
            decoded = decoded * d.attrs["scale_factor"] + d.attrs["add_offset"]
    return info, stored, decoded


def describe(path):
    if path.endswith(".npy"):
        a = np.load(path)
        return {"dtype": str(a.dtype), "shape": list(a.shape), "file_bytes": os.path.getsize(path)}, a, a.astype(np.float64)
    return describe_h5(path)


def main():
    app, app_stored, app_dec = describe(sys.argv[1])
    rec, rec_stored, rec_dec = describe(sys.argv[2])
    same_shape = app_stored.shape == rec_stored.shape
    out = {
        "app": app,
        "recipe": rec,
        "stored_identical": bool(
            same_shape and app_stored.dtype == rec_stored.dtype and np.array_equal(app_stored, rec_stored, equal_nan=app_stored.dtype.kind == "f")
        ),
        "decoded_max_diff": float(np.nanmax(np.abs(app_dec - rec_dec))) if same_shape and app_dec.size else None,
    }
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
