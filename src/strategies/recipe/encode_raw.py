# Stored values: the loaded dtype, lossless (booleans as uint8 0/1 in HDF5).


def encode(values, raw, facts):
    return raw.view(np.uint8) if raw.dtype.kind == "b" and STORES_HDF5 else raw


def stored_dtype(a, facts):
    d = a.dtype.newbyteorder("<")
    return np.dtype(np.uint8) if d.kind == "b" and STORES_HDF5 else d


def encoding_check(facts):
    pass


def encoding_attrs(facts):
    return {}


def decode(stored, attrs):
    return stored
