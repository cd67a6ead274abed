# The .npy file: np.save's format, filled slab by slab through a memmap.
STORES_HDF5 = False


def write(a, out, facts):
    shape = stored_shape(a.shape, facts)
    if a.ndim == 0 or a.size == 0:
        values, raw = layout(np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")), facts)
        np.save(out, encode(values, raw, facts))
        return
    # open_memmap writes the same header as np.save, then the rows are filled slab by slab.
    b = np.lib.format.open_memmap(out, mode="w+", dtype=stored_dtype(a, facts), shape=shape)
    write_data(a, b, facts, out)
    b.flush()
    del b


def read_stored(out):
    return None, np.load(out, mmap_mode="r"), {}


def record_error(out, err):
    pass  # a .npy has no attributes: the error is printed only
