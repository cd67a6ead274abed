# The HDF5 file: /data chunked like the app (whole leading-axis rows, about CHUNK_TARGET_BYTES each)
# with the filter, the contract attributes, the layout's extra datasets and the restore snippet.
STORES_HDF5 = True


def row_chunks(shape, item_bytes):
    """Chunks of whole leading-axis rows, about CHUNK_TARGET_BYTES each (strategies/common.ts rowChunks)."""
    if len(shape) == 0 or 0 in shape:
        return None
    if len(shape) == 1:
        return (max(1, min(shape[0], CHUNK_TARGET_BYTES // item_bytes)),)
    row_bytes = int(np.prod(shape[1:])) * item_bytes
    if row_bytes > 2**31:  # HDF5 caps a chunk at 4 GiB: split the second axis
        inner = int(np.prod(shape[2:])) * item_bytes
        return (1, max(1, min(shape[1], CHUNK_TARGET_BYTES // inner))) + tuple(shape[2:])
    return (max(1, min(shape[0], CHUNK_TARGET_BYTES // row_bytes)),) + tuple(shape[1:])


def shuffle_row_chunks(shape, item_bytes):
    """Row chunks for shuffle + gzip (strategies/common.ts shuffleRowChunks): the app can't shuffle a
    partial last chunk, so among heights from all of row_chunks' down to half of it the one leaving the
    fewest rows in a partial chunk is taken (ties: the taller)."""
    chunks = row_chunks(shape, item_bytes)
    if chunks is None or len(chunks) != len(shape) or tuple(chunks[1:]) != tuple(shape[1:]):
        return chunks
    rows, c = shape[0], chunks[0]
    best = c
    for h in range(c, max(1, math.ceil(c / 2)) - 1, -1):
        if rows % h < rows % best:
            best = h
        if rows % best == 0:
            break
    return (best,) + tuple(chunks[1:])


def write(a, out, facts):
    if a.ndim == 0 or a.size == 0:
        refuse("HDF5 datasets here need at least one axis and at least one value")
    shape = stored_shape(a.shape, facts)
    dtype = stored_dtype(a, facts)
    attrs = layout_attrs(a.shape, facts)
    attrs["original_shape"] = np.array(a.shape, dtype="<i8")
    attrs["original_dtype"] = a.dtype.newbyteorder("<").str
    attrs.update(encoding_attrs(facts))
    attrs["max_abs_error"] = np.float64(math.nan)  # measured below, after reading the file back
    attrs["strategy"] = STRATEGY_ATTR
    attrs["created_by"] = CREATED_BY
    chunks = None  # contiguous
    if FILTER is not None:
        chunks = (shuffle_row_chunks if SHUFFLE else row_chunks)(shape, dtype.itemsize)
    options = dict(FILTER or {})
    if SHUFFLE and dtype.itemsize > 1:  # the byte shuffle of 1-byte values is the identity: left out
        options["shuffle"] = True
    # The file format versions h5wasm writes (superblock 2, compact groups), for comparable sizes.
    with h5py.File(out, "w", libver=("v108", "v110")) as f:
        d = f.create_dataset("data", shape=shape, dtype=dtype, chunks=chunks, **options)
        write_data(a, d, facts, out)
        for name, value in attrs.items():
            d.attrs[name] = value
        # The snippet opens the file by its name: this output's name.
        default, name = (json.dumps(x, ensure_ascii=False) for x in (DEFAULT_OUTPUT, os.path.basename(out)))
        f.attrs["restore_python"] = RESTORE_PYTHON.replace(default, name)
        for name, value in extra_datasets(a.shape, facts).items():
            f.create_dataset(name, data=value)


def read_stored(out):
    f = h5py.File(out, "r")
    return f, f["data"], f["data"].attrs


def record_error(out, err):
    with h5py.File(out, "r+") as f:
        f["data"].attrs.modify("max_abs_error", np.float64(err))
