# Layout `full`: the array as loaded, every value in its place.
# /data rows are the input rows: written and read back slab by slab of rows.
write_data, data_slabs = write_rows, row_slabs


def shape_problem(shape):
    return None


def stored_shape(shape, facts):
    return tuple(shape)


def layout(x, facts):
    """(values as numbers, values in the loaded dtype) of input rows x."""
    return numbers(x), x


def unlayout(stored, shape, facts):
    return stored


def layout_attrs(shape, facts):
    return {"layout": LAYOUT}


def extra_datasets(shape, facts):
    return {}
