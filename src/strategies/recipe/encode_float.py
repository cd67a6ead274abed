# Stored values: cast to FLOAT_DTYPE (<f4 rounds to nearest float32; <f8 keeps the numbers as they are).


def encode(values, raw, facts):
    return values.astype(FLOAT_DTYPE)


def stored_dtype(a, facts):
    return np.dtype(FLOAT_DTYPE)


def encoding_check(facts):
    pass


def encoding_attrs(facts):
    return {}


def decode(stored, attrs):
    return stored
