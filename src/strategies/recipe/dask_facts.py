# Dask: the input as one lazy array over one or more .npy files (concatenated along axis 0), and the
# first pass for the facts the app computes on load (min/max, NaN/Inf, max|A - A.T|, used pairs, the
# value sample), block by block on the cluster. Workers open the files themselves (np.load with
# mmap_mode="r"): with a remote scheduler the paths must be readable by every worker.


def npy_header(path):
    """(shape, dtype) of a .npy without reading its data."""
    with open(path, "rb") as fh:
        version = np.lib.format.read_magic(fh)
        shape, fortran, dtype = np.lib.format._read_array_header(fh, version)
    return tuple(shape), dtype


def load_rows(path, r0, r1):
    """Rows [r0, r1) of one .npy as a C-ordered little-endian array (the app normalises byte order)."""
    a = np.load(path, mmap_mode="r")
    return np.ascontiguousarray(a[r0:r1] if a.ndim else a, dtype=a.dtype.newbyteorder("<"))


def open_inputs(paths, block_rows):
    """One dask array over the files (axis 0 concatenated), blocks of `block_rows` rows that never
    straddle two files, with every trailing axis whole."""
    shapes, dtypes = zip(*(npy_header(p) for p in paths))
    rest, dtype = shapes[0][1:], dtypes[0].newbyteorder("<")
    for p, s, d in zip(paths, shapes, dtypes):
        if len(shapes) > 1 and (len(s) == 0 or s[1:] != rest):
            refuse("%s has shape %s; every input must share the trailing axes %s" % (p, s, rest))
        if d.newbyteorder("<") != dtype:
            refuse("%s holds %s; every input must share the dtype %s" % (p, d, dtype))
    if len(shapes) == 1 and len(shapes[0]) == 0:
        return da.from_delayed(dask.delayed(load_rows)(paths[0], 0, 1), (), dtype)
    parts = []
    for p, s in zip(paths, shapes):
        for r0 in range(0, s[0], block_rows):
            r1 = min(s[0], r0 + block_rows)
            parts.append(da.from_delayed(dask.delayed(load_rows)(p, r0, r1), (r1 - r0,) + rest, dtype))
    if not parts:
        return da.zeros((0,) + rest, dtype=dtype)
    return da.concatenate(parts, axis=0) if len(parts) > 1 else parts[0]


def block_facts(v, packed, pairs):
    """The facts of one block of input rows (float64 view, as the app's analysis)."""
    v = v.astype(np.float64)
    finite = np.isfinite(v)
    n_nan = int(np.isnan(v).sum())
    out = {
        "min": float(v[finite].min()) if finite.any() else math.inf,
        "max": float(v[finite].max()) if finite.any() else -math.inf,
        "nan": n_nan,
        "inf": int(v.size - finite.sum()) - n_nan,
        "asym": asymmetry(v) if packed and v.size else 0.0,
        "used": nonzero_positions(v) if pairs and v.size else None,
    }
    return out


def merge_facts(a, b):
    used = b["used"] if a["used"] is None else (a["used"] if b["used"] is None else a["used"] | b["used"])
    return {
        "min": min(a["min"], b["min"]),
        "max": max(a["max"], b["max"]),
        "nan": a["nan"] + b["nan"],
        "inf": a["inf"] + b["inf"],
        "asym": max(a["asym"], b["asym"]),
        "used": used,
    }


def sample_from_files(paths, shapes, size=1 << 14):
    """facts.py's value_sample over the concatenated files: the same flat positions floor(k n / count)."""
    n = sum(int(np.prod(s)) for s in shapes)
    count = min(n, size)
    if count == 0:
        return np.zeros(0)
    pos = np.floor(np.arange(count, dtype=np.float64) * n / count).astype(np.int64)
    out = np.empty(count, dtype=np.float64)
    start = 0
    for p, s in zip(paths, shapes):
        size_p = int(np.prod(s))
        sel = (pos >= start) & (pos < start + size_p)
        if sel.any():
            a = np.load(p, mmap_mode="r")
            local = pos[sel] - start
            out[sel] = a.reshape(-1)[local] if a.ndim <= 1 else a[np.unravel_index(local, a.shape)]
        start += size_p
    return np.sort(out[np.isfinite(out)])


def dask_scan(x, paths):
    """Facts as facts.py's scan computes them, from one pass over the blocks on the cluster."""
    packed = LAYOUT != "full"
    pairs = LAYOUT.startswith("used-pairs")
    blocks = x.to_delayed().ravel().tolist()
    parts = [dask.delayed(block_facts)(b, packed, pairs) for b in blocks]
    while len(parts) > 1:
        parts = [
            dask.delayed(merge_facts)(parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i]
            for i in range(0, len(parts), 2)
        ]
    shapes = [npy_header(p)[0] for p in paths]
    todo = [parts[0]] + ([dask.delayed(sample_from_files)(paths, shapes)] if EPS is not None else [])
    got = dask.compute(*todo)
    f = got[0]
    sample = got[1] if EPS is not None else None
    figures = (f["min"], f["max"], f["nan"], f["inf"], f["asym"], f["used"])
    facts = summary_facts(x.dtype, x.shape, *figures, sample)
    if pairs and len(facts["pairs"]) == 0:
        refuse("every value is exactly 0: there are no used pairs to store (keep the .npy)")
    return facts
