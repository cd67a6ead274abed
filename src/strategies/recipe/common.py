# Helpers every recipe uses: refusals, JavaScript rounding, the input read in slabs of rows.

# Input bytes read per slab (about 3x this in memory); H5SQUEEZE_SLAB_BYTES overrides it.
SLAB_BYTES = int(os.environ.get("H5SQUEEZE_SLAB_BYTES", 64 << 20))


def refuse(reason):
    sys.exit("h5squeeze recipe: cannot apply " + STRATEGY_ID + " here: " + reason)


def js_round(t):
    """JavaScript's Math.round (halves go up), which the app uses; np.round would round halves to even."""
    f = np.floor(t)
    return f + (t - f >= 0.5)


def read_rows(a, r0, r1):
    """Rows [r0, r1) of the input as a C-ordered little-endian array (the app normalises byte order)."""
    return np.ascontiguousarray(a[r0:r1], dtype=a.dtype.newbyteorder("<"))


def numbers(x):
    """The values as the app sees them: float16 and 64-bit integers widened to float64, others as is."""
    widen = (x.dtype.kind == "f" and x.itemsize == 2) or (x.dtype.kind in "iu" and x.itemsize == 8)
    return x.astype(np.float64) if widen else x


def whole(a):
    """A scalar, or a single matrix that a packed layout stores as one row: handled in one piece."""
    return a.ndim == 0 or (a.ndim == 2 and LAYOUT != "full")


def slabs(a, align=1):
    """(r0, r1) ranges of leading-axis rows, about SLAB_BYTES of input each and a multiple of `align`
    rows (whole chunks, so each chunk is compressed once)."""
    if whole(a):
        yield 0, (1 if a.ndim == 0 else a.shape[0])
        return
    row_bytes = max(1, a[0:1].nbytes) if a.shape[0] else 1
    step = max(1, SLAB_BYTES // row_bytes)
    step = max(align, step // align * align)
    for r0 in range(0, a.shape[0], step):
        yield r0, min(a.shape[0], r0 + step)


def whole_or_rows(a, r0, r1):
    return np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")) if a.ndim == 0 else read_rows(a, r0, r1)


def write_rows(a, d, facts, out):
    """Fills d slab by slab of input rows (whole chunks), for layouts whose axis 0 is the input's."""
    chunks = getattr(d, "chunks", None)
    for r0, r1 in slabs(a, chunks[0] if chunks else 1):
        values, raw = layout(read_rows(a, r0, r1), facts)
        d[... if whole(a) else slice(r0, r1)] = encode(values, raw, facts)


def row_slabs(a, d, out):
    """(r0, r1, stored rows of input rows [r0, r1)), for layouts whose axis 0 is the input's."""
    for r0, r1 in slabs(a):
        yield r0, r1, (d[...] if whole(a) else d[r0:r1])
