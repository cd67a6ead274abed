# Stored values: cast to float32 (round to nearest).


def encode(values, raw, facts):
    return values.astype(np.float32)


def stored_dtype(a, facts):
    return np.dtype("<f4")


def encoding_check(facts):
    pass


def encoding_attrs(facts):
    return {}


def decode(stored, attrs):
    return stored
