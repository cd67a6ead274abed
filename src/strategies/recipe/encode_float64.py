# Stored values: float64.


def encode(values, raw, facts):
    return values.astype(np.float64)


def stored_dtype(a, facts):
    return np.dtype("<f8")


def encoding_check(facts):
    pass


def encoding_attrs(facts):
    return {}


def decode(stored, attrs):
    return stored
