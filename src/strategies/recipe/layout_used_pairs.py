# Layouts `used-pairs` and `used-pairs-pair-major`: only the K upper-triangle pairs (row <= col) that
# are non-zero (or NaN) in some matrix, as (A + A.T)/2; every pair left out is exactly 0 everywhere.
# `/pairs` (K x 2 int32: row, col) lists them. Sample-major `/data` is matrices x K (pairs on the last
# axis); pair-major `/data` is K x matrices. The `pairs_axis` attribute says which axis holds the pairs.
PAIR_MAJOR = LAYOUT == "used-pairs-pair-major"


def shape_problem(shape):
    return square_stack_problem(shape, "the used-pairs layout")


def pair_index(facts):
    return facts["pairs"][:, 0], facts["pairs"][:, 1]


def stored_shape(shape, facts):
    k = len(facts["pairs"])
    if k == 0:
        refuse("every value is exactly 0: there are no used pairs to store (keep the .npy)")
    lead = tuple(shape[:-2])
    return (k,) + lead if PAIR_MAJOR else lead + (k,)


def layout(x, facts):
    """Values of the used pairs of input rows x, in sample-major order (pairs on the last axis)."""
    rows, cols = pair_index(facts)
    return pair_values(x, rows, cols)


def unlayout(stored, shape, facts):
    """Full matrices from sample-major stored values; pairs not stored are 0."""
    rows, cols = pair_index(facts)
    return mirror_pairs(stored, shape[-1], rows, cols)


def layout_attrs(shape, facts):
    # Both orientations are `used-pairs` files; pairs_axis tells them apart.
    axis = 0 if PAIR_MAJOR else max(0, len(shape) - 2)
    return {"layout": "used-pairs", "matrix_size": np.int64(shape[-1]), "pairs_axis": np.int64(axis)}


def extra_datasets(shape, facts):
    return {"pairs": np.ascontiguousarray(facts["pairs"], dtype="<i4")}


@contextlib.contextmanager
def staging(like, out):
    """A temporary .npy memmap shaped like the stored dataset, next to the output (removed afterwards;
    the caller drops its reference first, so the file is closed everywhere)."""
    where = os.path.dirname(os.path.abspath(out))
    fd, path = tempfile.mkstemp(prefix=".h5squeeze-", suffix=".npy", dir=where)
    os.close(fd)
    s = None
    try:
        s = np.lib.format.open_memmap(path, mode="w+", dtype=like.dtype, shape=like.shape)
        yield s
    finally:
        s = None
        os.remove(path)


def pair_blocks(d, chunk_rows):
    """(p0, p1) ranges of whole pair rows of d, whole chunks and about SLAB_BYTES each."""
    row_bytes = max(1, int(np.prod(d.shape[1:], dtype=np.int64)) * d.dtype.itemsize)
    step = max(chunk_rows, SLAB_BYTES // row_bytes // chunk_rows * chunk_rows)
    for p0 in range(0, d.shape[0], step):
        yield p0, min(d.shape[0], p0 + step)


def write_data(a, d, facts, out):
    """Sample-major: /data rows are the input rows, written slab by slab of rows. Pair-major: input
    slabs of matrices are columns d[:, r0:r1]; written straight when the input is one slab, otherwise
    the encoded columns are gathered in a temporary .npy memmap first and copied to /data in blocks of
    whole chunks of pair rows, so every chunk is compressed once (as in the app) instead of being
    rewritten by every column slab."""
    if not PAIR_MAJOR:
        write_rows(a, d, facts, out)
        return
    spans = list(slabs(a))
    if len(spans) == 1:
        values, raw = layout(whole_or_rows(a, *spans[0]), facts)
        d[...] = np.moveaxis(encode(values, raw, facts), -1, 0)
        return
    with staging(d, out) as s:
        for r0, r1 in spans:
            values, raw = layout(read_rows(a, r0, r1), facts)
            s[:, r0:r1] = np.moveaxis(encode(values, raw, facts), -1, 0)
        for p0, p1 in pair_blocks(d, d.chunks[0] if d.chunks else 1):
            d[p0:p1] = s[p0:p1]
        del s


def data_slabs(a, d, out):
    """(r0, r1, sample-major stored values of input rows [r0, r1)). Pair-major: when the input is more
    than one slab, /data is first copied in blocks of whole chunks into a temporary memmap, so each
    chunk is decompressed once."""
    if not PAIR_MAJOR:
        yield from row_slabs(a, d, out)
        return
    spans = list(slabs(a))
    if len(spans) == 1:
        yield spans[0] + (np.moveaxis(d[...], 0, -1),)
        return
    with staging(d, out) as s:
        for p0, p1 in pair_blocks(d, d.chunks[0] if d.chunks else 1):
            s[p0:p1] = d[p0:p1]
        for r0, r1 in spans:
            yield r0, r1, np.moveaxis(s[:, r0:r1], 0, -1).copy()
        del s
