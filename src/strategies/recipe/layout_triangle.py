# Layout `upper-triangle-rowmajor`: each M x M matrix as the M(M+1)/2 values of (A + A.T)/2 on and above
# the diagonal, np.triu_indices(M) order.
# /data rows are the input rows: written and read back slab by slab of rows.
write_data, data_slabs = write_rows, row_slabs


def shape_problem(shape):
    return square_stack_problem(shape, "triangle packing")


def stored_shape(shape, facts):
    m = shape[-1]
    return tuple(shape[:-2]) + (m * (m + 1) // 2,)


def layout(x, facts):
    iu = np.triu_indices(x.shape[-1])
    return pair_values(x, iu[0], iu[1])


def unlayout(stored, shape, facts):
    """Mirror each packed triangle back into full symmetric matrices."""
    iu = np.triu_indices(shape[-1])
    return mirror_pairs(stored, shape[-1], iu[0], iu[1])


def layout_attrs(shape, facts):
    return {"layout": LAYOUT, "matrix_size": np.int64(shape[-1])}


def extra_datasets(shape, facts):
    return {}
