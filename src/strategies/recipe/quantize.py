# core/quantize.ts and strategies/quantized-values.ts, line for line: the same doubles in, the same
# plan and codes out.

U = 2.0**-53
MARGIN = 2.0**-20
CODE_BYTES = {"i1": 1, "u1": 1, "i2": 2, "u2": 2, "i4": 4, "u4": 4}
# Codes each integer type may use (netCDF's default fill values are left out).
CODE_RANGE = [
    ("i1", -126, 127),
    ("u1", 0, 254),
    ("i2", -32766, 32767),
    ("u2", 0, 65534),
    ("i4", -2147483646, 2147483647),
    ("u4", 0, 4294967294),
]


def effective_eps(facts):
    """The encoding's own eps: the user's EPS minus what the layout already cost and minus the final
    cast to the loaded dtype that restoring does (half a float32/float16 ulp at the largest magnitude;
    integers are rounded to the nearest integer, so the error stays below floor(eps) + 1/2)."""
    e = EPS - facts["layout_error"]
    b = max(abs(facts["min"]), abs(facts["max"]), 0) + max(0, e)
    kind = facts["dtype"]
    if kind == "f8":
        return e
    if kind == "f4":
        return e - ulp(b, 23, -149) / 2
    if kind == "f2":
        return e - ulp(b, 10, -24) / 2
    return min(e, math.floor(e) + 0.499)


def quantization_plan(facts):
    """scale_factor just under 2 eps and the smallest integer type that holds [min, max], with
    add_offset a whole number of steps so that an exact 0 decodes to exactly 0.0; with a value sample,
    moved by whole steps so the densest values share their codes' upper bytes."""
    if "plan" in facts:
        return facts["plan"]
    lo_x, hi_x, eps = facts["min"], facts["max"], effective_eps(facts)
    for name, lo, hi in CODE_RANGE:
        signed = lo < 0
        centre = lo_x / 2 + hi_x / 2 if signed else lo_x
        h0 = max(abs(hi_x - centre), abs(centre - lo_x))
        b = max(abs(lo_x), abs(hi_x))
        # Half the step, summed term by term (h0 + b may overflow near 1.8e308), then capped: a step
        # beyond the range's half-width buys nothing, and decoded values must stay below float64's max.
        # The 32 U eps term pays for snapping the offset onto the grid below.
        half = eps * (1 - MARGIN) - 8 * U * h0 - 32 * U * eps - 8 * U * b
        room = (sys.float_info.max - b) * (1 - 2.0**-40)
        half = min(half, max(h0, 5e-324), room / 2)
        if not (half > 0):
            continue
        scale = 2 * half
        # add_offset = k * scale_factor, so the code -k decodes to exactly 0.0 (exact zeros stay zeros);
        # unsigned plans keep the offset at or below min. Far from 0 (|k| >= 2^52) it stays put.
        offset = centre
        k0 = centre / scale
        if abs(k0) < 2.0**52:
            k = float(js_round(k0)) if signed else math.floor(k0)
            if not signed:
                while k * scale > lo_x:
                    k -= 1
            offset = k * scale + 0.0
        q_min = float(js_round((lo_x - offset) / scale)) - 1
        q_max = float(js_round((hi_x - offset) / scale)) + 1
        if (q_min if signed else 0) < lo or q_max > hi:
            continue
        sample = facts.get("sample")
        if sample is not None and len(sample) > 0:
            shifted = bulk_offset(scale, centre, lo_x, hi_x, sample, name, lo, hi, eps)
            offset = offset if shifted is None else shifted
        facts["plan"] = {
            "scale_factor": scale,
            "add_offset": offset,
            "dtype": np.dtype("<" + name),
            "eps": eps,
            "range": (lo, hi),
        }
        return facts["plan"]
    refuse("eps = %r is too small to quantize the range [%r, %r] into 32-bit integers" % (EPS, lo_x, hi_x))


def densest_run(sample, width):
    """(count, first, last) of the longest run of the sorted sample whose values lie less than `width`
    above its first one (the app's two pointers, the same float64 differences)."""
    n = len(sample)
    s = sample.tolist()
    best, a, b = 0, s[0], s[0]
    t = 0
    for i in range(n):
        if t < i:
            t = i
        while t + 1 < n and s[t + 1] - s[i] < width:
            t += 1
        if t - i + 1 > best:
            best, a, b = t - i + 1, s[i], s[t]
    return best, a, b


def code_window_bytes(a, b, s):
    """Bytes of the smallest byte-aligned code window that holds [a, b] (with 4 codes to spare)."""
    span = math.ceil((b - a) / s) + 4
    j = 1
    while 2 ** (8 * j) < span:
        j += 1
    return j


def bulk_offset(s, centre, lo_x, hi_x, sample, name, lo, hi, eps):
    """An offset (still k * s, so 0 stays exact) that puts the densest run of sampled values in the
    middle of a byte-aligned window of codes [0, 256^j): the smallest j below the code's size whose
    densest window holds at least half the sample (else j = 1), so the upper bytes of most codes are
    equal. None when the range would leave the type or the offset would move more than 2^30 eps."""
    n = len(sample)
    pick = None
    for j in range(1, CODE_BYTES[name]):
        best, a, b = densest_run(sample, (2.0 ** (8 * j) - 4) * s)
        if j == 1:
            pick = (a, b)
        if best >= n / 2:
            pick = (a, b)
            break
    if pick is None:
        return None
    w = 2.0 ** (8 * max(1, code_window_bytes(pick[0], pick[1], s)))
    k = float(js_round((pick[0] / 2 + pick[1] / 2) / s)) - w / 2
    if not (abs(k) < 2.0**52):
        return None
    o = k * s + 0.0  # never -0
    if not (abs(o - centre) <= 2.0**30 * eps):
        return None
    q_min = float(js_round((lo_x - o) / s)) - 1
    q_max = float(js_round((hi_x - o) / s)) + 1
    return o if q_min >= lo and q_max <= hi else None


def quantize(x, plan):
    """Codes round((x - add_offset) / scale_factor), each checked to decode within eps; where the rounded
    quotient misses, the best neighbour that meets eps is taken (as the app does)."""
    s, o, eps = plan["scale_factor"], plan["add_offset"], plan["eps"]
    lo, hi = plan["range"]
    if not np.isfinite(x).all():
        refuse("integers cannot represent NaN or ±Inf")
    q = js_round((x - o) / s)
    bad = ~(np.abs(q * s + o - x) <= eps) | (q < lo) | (q > hi)
    for i in np.flatnonzero(bad):
        xi, qi = x.flat[i], q.flat[i]
        best, best_err = None, math.inf
        for c in (qi, qi - 1, qi + 1):
            e = abs(c * s + o - xi)
            if lo <= c <= hi and e < best_err:
                best, best_err = c, e
        if not best_err <= eps:
            refuse("value %r is outside the range the quantization plan covers" % xi)
        q.flat[i] = best
    return q.astype(plan["dtype"])
