# Reading the written file back: the max abs error against the input, measured as the app measures it
# (core/metrics.ts, workers/job.ts compareSlab).


def max_abs_error(orig, dec):
    """NaN facing NaN and the same infinity are equal; any other NaN/Inf mismatch is an infinite error."""
    o = np.asarray(orig, dtype=np.float64)
    r = np.asarray(dec, dtype=np.float64)
    if o.size == 0:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(r - o)
    diff[o == r] = 0.0
    no, nr = np.isnan(o), np.isnan(r)
    diff[no & nr] = 0.0
    diff[no ^ nr] = math.inf
    return float(diff.max())


def as_loaded(dec, dtype):
    """Decoded float64 values rounded to the loaded dtype, as restoring the file does (float32, float16;
    integers to the nearest, halves to even): the error is measured after this cast."""
    if dec.dtype != np.float64:
        return dec
    kind = dtype.kind + str(dtype.itemsize)
    if kind == "f8":
        return dec
    if kind == "f4":
        return dec.astype(np.float32)
    if kind == "f2":
        return dec.astype(np.float16)
    return np.rint(dec)


def verify(a, out, facts):
    """Reads the written file back slab by slab, decodes it, rebuilds full matrices and compares."""
    f, d, attrs = read_stored(out)
    try:
        worst = 0.0
        for r0, r1, stored in data_slabs(a, d, out):
            orig = whole_or_rows(a, r0, r1)
            dec = unlayout(decode(stored, attrs), a.shape, facts)
            worst = max(worst, max_abs_error(numbers(orig), as_loaded(dec, a.dtype)))
        return worst
    finally:
        if f is not None:
            f.close()
