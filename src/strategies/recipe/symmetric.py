# What the packed layouts of symmetric stacks share: the shape check, (A + A.T)/2 at chosen pairs
# (core/triangle.ts packUpper, layouts/symmetric.ts meanOf) and mirroring pairs back into matrices.


def square_stack_problem(shape, what):
    if len(shape) < 2:
        return "%s needs matrices; this array has rank %d" % (what, len(shape))
    if shape[-1] != shape[-2]:
        return "%s needs square matrices; the last two axes are %d x %d" % (what, shape[-2], shape[-1])
    return None


def pair_values(x, rows, cols):
    """(A + A.T)/2 at (rows[k], cols[k]) of every matrix of x, last axis = k. Returns (values as numbers,
    values in the loaded dtype), like the app's pack + rawFromNumbers: the mean in float64 (a/2 + b/2
    where a + b overflows), kept as float32 for float32 input."""
    up = x[..., rows, cols].astype(np.float64)
    lo = x[..., cols, rows].astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        mean = (up + lo) * 0.5
    overflow = np.isinf(mean) & np.isfinite(up) & np.isfinite(lo)
    mean[overflow] = up[overflow] * 0.5 + lo[overflow] * 0.5
    values = mean.astype(np.float32) if x.dtype == np.float32 else mean
    if x.dtype.kind == "f":
        raw = values.astype(x.dtype)
    elif x.dtype.itemsize == 8:  # 64-bit integers: rounded (Math.round)
        raw = js_round(values).astype(x.dtype)
    else:  # smaller integers and booleans: truncated, as a JS typed-array store does
        raw = np.trunc(values).astype(np.uint8 if x.dtype.kind == "b" else x.dtype)
        if x.dtype.kind == "b":
            raw = raw.view(np.bool_)
    return values, raw


def mirror_pairs(stored, m, rows, cols):
    """Full M x M matrices from values at pairs (last axis of stored); positions not stored are 0."""
    full = np.zeros(stored.shape[:-1] + (m, m), dtype=stored.dtype)
    full[..., rows, cols] = stored
    full[..., cols, rows] = stored
    return full
