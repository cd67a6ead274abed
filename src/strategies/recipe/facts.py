# First pass over the input: the facts the app computes on load (core/analysis.ts) and the error the
# layout itself costs (layouts/symmetric.ts).


def asymmetry(v):
    """max|A - A.T| over the matrices of v (float64), NaN-aware like the app: NaN facing NaN is equal,
    NaN facing a number is infinitely asymmetric."""
    t = np.swapaxes(v, -1, -2)
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.where(v != t, np.abs(v - t), 0.0)
    nv, nt = np.isnan(v), np.isnan(t)
    d[nv & nt] = 0.0
    d[nv ^ nt] = math.inf
    return float(d.max()) if d.size else 0.0


def nonzero_positions(v):
    """(M, M) booleans: A[i, j] or A[j, i] is non-zero (or NaN) in some matrix of v."""
    m = v.shape[-1]
    nz = (v != 0).reshape(-1, m, m).any(axis=0)
    return nz | nz.T


def ulp(x, mantissa_bits, lowest_exponent):
    if not (x > 0) or not math.isfinite(x):
        return 2.0 ** lowest_exponent if x == 0 else math.inf
    return 2.0 ** max(math.floor(math.log2(x)) - mantissa_bits, lowest_exponent)


def value_sample(a, size=1 << 14):
    """The finite values among an evenly spaced sample of at most `size` values (flat C-order
    positions floor(k n / count), computed in float64 like the app), sorted: where most values lie
    (core/quantize.ts valueSampleOf)."""
    n = a.size
    count = min(n, size)
    if count == 0:
        return np.zeros(0)
    pos = np.floor(np.arange(count, dtype=np.float64) * n / count).astype(np.int64)
    x = np.asarray(a).reshape(-1)[pos] if a.ndim == 0 else a[np.unravel_index(pos, a.shape)]
    x = x.astype(np.float64)
    return np.sort(x[np.isfinite(x)])


def scan(a):
    """Finite min/max, NaN/Inf counts, max|A - A.T|, the error the packed layouts cost, for the
    used-pairs layouts the pairs to store (row <= col, np.triu_indices order) and, for quantized
    values, a sample of the values."""
    lo, hi, nan, inf, asym = math.inf, -math.inf, 0, 0, 0.0
    packed = LAYOUT != "full"
    pairs = LAYOUT.startswith("used-pairs")
    used = None
    for r0, r1 in slabs(a):
        v = whole_or_rows(a, r0, r1).astype(np.float64)
        finite = np.isfinite(v)
        n_nan = int(np.isnan(v).sum())
        nan += n_nan
        inf += int(v.size - finite.sum()) - n_nan
        if finite.any():
            lo = min(lo, float(v[finite].min()))
            hi = max(hi, float(v[finite].max()))
        if packed:
            asym = max(asym, asymmetry(v))
        if pairs and v.size:
            seen = nonzero_positions(v)
            used = seen if used is None else used | seen
    sample = value_sample(a) if EPS is not None else None
    return summary_facts(a.dtype, a.shape, lo, hi, nan, inf, asym, used, sample)


def summary_facts(dtype, shape, lo, hi, nan, inf, asym, used, sample):
    """The facts from one pass's figures (scan's, or the Dask recipe's merged blocks): the range, the
    error the packed layouts cost, the sample (or None) and, for the used-pairs layouts, the pairs."""
    if lo > hi:
        lo = hi = math.nan
    kind = dtype.kind + str(dtype.itemsize)
    layout_error = 0.0
    if LAYOUT != "full" and asym != 0:
        # Storing (A + A.T)/2 moves each value by |a - b|/2, plus one rounding in the stored dtype.
        m = max(abs(lo), abs(hi))
        u = {"f2": ulp(m, 10, -24), "f4": ulp(m, 23, -149), "f8": ulp(m, 52, -1074)}.get(kind, 0.5)
        layout_error = asym / 2 + u
    if not math.isfinite(layout_error):
        refuse("NaN or ±Inf are not mirrored across the diagonal, so the triangle layout would change them")
    facts = {"dtype": kind, "min": lo, "max": hi, "nan": nan, "inf": inf}
    facts.update({"max_asymmetry": asym, "layout_error": layout_error})
    if sample is not None:
        facts["sample"] = sample
    if LAYOUT.startswith("used-pairs"):
        iu = np.triu_indices(shape[-1])
        keep = used[iu] if used is not None else np.zeros(len(iu[0]), dtype=bool)
        facts["pairs"] = np.stack([iu[0][keep], iu[1][keep]], axis=1).astype("<i4")
    return facts
