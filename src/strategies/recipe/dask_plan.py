# Dask: the plan fixed up front on the client (chunks, codec, the quantization grid as numcodecs'
# FixedScaleOffset) and the per-block work the workers do with it: layout, encoding, read-back error.
# Mirrors strategies/zarr-codec.ts, zarr/fixed-scale-offset.ts and strategies/common.ts rowChunks.

CHUNK_TARGET_BYTES = 1 << 20


def row_chunks(shape, item_bytes, target=CHUNK_TARGET_BYTES):
    """Chunks of whole leading-axis rows, about `target` bytes each (strategies/common.ts rowChunks)."""
    if len(shape) == 1:
        return (max(1, min(shape[0], target // item_bytes)),)
    row_elems = int(np.prod(shape[1:]))
    if row_elems * item_bytes > 2**31:
        inner = int(np.prod(shape[2:])) * item_bytes
        return (1, max(1, min(shape[1], target // inner))) + tuple(shape[2:])
    rows = max(1, min(shape[0], target // (row_elems * item_bytes)))
    return (rows,) + tuple(shape[1:])


def fixed_scale_offset(plan):
    """(offset, scale) of numcodecs' FixedScaleOffset for the app's grid: decode = enc / scale + offset,
    scale = 1 / scale_factor, offset = k / scale for add_offset = k * scale_factor (so the code -k
    decodes to exactly 0.0). A step whose reciprocal overflows (near-constant input) becomes 1."""
    s, o = plan["scale_factor"], plan["add_offset"]
    if not (1 / s < 2.0**1000):
        return (0.0 if abs(o) < 2.0**-1000 else o), 1.0
    scale = 1 / s
    k = float(js_round(o / s))
    offset = k / scale + 0.0 if abs(k) < 2.0**52 and k * s == o else o
    return offset, scale


def fso_codes(x, offset, scale, eps, lo, hi, dtype):
    """Codes round((x - offset) * scale) whose numcodecs decode is within eps; where the rounded
    product misses, the best of q-1, q+1, q-2, q+2 (first best wins), as the app picks them."""
    x = np.asarray(x, dtype=np.float64)
    if not np.isfinite(x).all():
        raise ValueError("integers cannot represent NaN or ±Inf")
    q = js_round((x - offset) * scale)
    bad = ~(np.abs(q / scale + offset - x) <= eps) | (q < lo) | (q > hi)
    for i in np.flatnonzero(bad):
        xi, qi = x.flat[i], q.flat[i]
        best, best_err = None, math.inf
        for c in (qi - 1, qi + 1, qi - 2, qi + 2):
            e = abs(c / scale + offset - xi)
            if lo <= c <= hi and e < best_err:
                best, best_err = c, e
        if not best_err <= eps:
            raise ValueError("value %r is outside the quantization grid's range" % xi)
        q.flat[i] = best
    return q.astype(dtype)


def block_layout(x, rows, cols):
    """(values as numbers, values in the loaded dtype) of input rows x in the stored layout (sample-major)."""
    if LAYOUT == "full":
        return numbers(x), x
    return pair_values(x, rows, cols)


def stored_block(x, rows, cols, q):
    """What `data` holds (after its filters decode) for input rows x."""
    values, raw = block_layout(x, rows, cols)
    if ENCODING == "raw":
        return raw
    if ENCODING == "float32":
        return values.astype(np.float32)
    if ENCODING == "float16":
        return raw if x.dtype == np.float16 else values.astype(np.float16)
    codes = fso_codes(values, q["offset"], q["scale"], q["eps"], q["lo"], q["hi"], q["dtype"])
    # Written as the decoded floats: the filter's encode, np.around((v - offset) * scale), gives the
    # same codes back (checked when the store is read back).
    return codes / q["scale"] + q["offset"]


def block_error(x, stored, rows, cols, m):
    """Max abs error of input rows x against their stored values (sample-major), after the cast back
    to the loaded dtype, as verify.py measures it."""
    dec = np.asarray(stored)
    if LAYOUT != "full":
        dec = mirror_pairs(dec, m, rows, cols)
    dec = dec.reshape(x.shape)
    if ENCODING == "float16":  # the app widens half floats to float64, then casts to the loaded dtype
        dec = dec.astype(np.float64)
    return max_abs_error(numbers(x), as_loaded(dec, x.dtype))
