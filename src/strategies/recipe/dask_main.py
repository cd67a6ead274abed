# Dask: the entry point. Facts (first pass), the plan, the store written block by block with to_zarr,
# the pairs index and attributes, the measured error (second pass), then the zip if asked for.


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("inputs", nargs="+", help=".npy files, concatenated along axis 0 in this order")
    p.add_argument("-o", "--output", default=DEFAULT_OUTPUT,
                   help="a .zip (one file, like the app's) or a directory store (default: %(default)s)")
    p.add_argument("--scheduler", default=None,
                   help="address of a running dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster)")
    p.add_argument("--workers", type=int, default=None, help="LocalCluster workers (default: one per core)")
    p.add_argument("--threads-per-worker", type=int, default=1)
    return p.parse_args(argv[1:])


def zarr_chunks_and_dtype(shape, dtype, facts):
    """The stored shape, zarr chunks, the dtype zarr returns and the codes' itemsize (chunk sizing)."""
    k = len(facts["pairs"]) if "pairs" in facts else None
    if LAYOUT == "full":
        stored = tuple(shape)
    elif LAYOUT == "upper-triangle-rowmajor":
        stored = tuple(shape[:-2]) + (shape[-1] * (shape[-1] + 1) // 2,)
    elif LAYOUT == "used-pairs":
        stored = tuple(shape[:-2]) + (k,)
    else:
        stored = (k,) + tuple(shape[:-2])
    if ENCODING == "quantized":
        out, item = np.dtype("<f8"), facts["plan"]["dtype"].itemsize
    elif ENCODING == "float16":
        out, item = np.dtype("<f2"), 2
    elif ENCODING == "float32":
        out, item = np.dtype("<f4"), 4
    else:
        out, item = dtype, dtype.itemsize
    return stored, row_chunks(stored, item), out


def write_store(x, paths, path, facts):
    m = x.shape[-1] if x.ndim >= 2 else 0
    if LAYOUT == "full":
        rows = cols = None
    elif LAYOUT == "upper-triangle-rowmajor":
        rows, cols = np.triu_indices(m)
    else:
        rows, cols = facts["pairs"][:, 0], facts["pairs"][:, 1]
    stored_shape, chunks, out_dtype = zarr_chunks_and_dtype(x.shape, x.dtype, facts)
    q = None
    filters = None
    if ENCODING == "quantized":
        plan = facts["plan"]
        offset, scale = fixed_scale_offset(plan)
        lo, hi = plan["range"]
        q = {"offset": offset, "scale": scale, "eps": plan["eps"], "lo": lo, "hi": hi, "dtype": plan["dtype"]}
        filters = [numcodecs.FixedScaleOffset(offset=offset, scale=scale, dtype="<f8", astype=plan["dtype"].str)]
    if LAYOUT == "full":
        s = x.map_blocks(stored_block, rows, cols, q, dtype=out_dtype)
    else:
        s = x.map_blocks(stored_block, rows, cols, q, dtype=out_dtype, drop_axis=x.ndim - 1,
                         chunks=x.chunks[:-2] + ((len(rows),),))
    if LAYOUT == "used-pairs-pair-major":
        s = da.moveaxis(s, -1, 0)
    s = s.rechunk(chunks)
    store = zarr.DirectoryStore(path)
    root = zarr.group(store=store, overwrite=True)
    # fill_value None: xarray would read a fill value as _FillValue and mask every exact 0.
    stored_item = q["dtype"].itemsize if q is not None else np.dtype(out_dtype).itemsize
    if SHUFFLE and stored_item > 1:
        filters = (filters or []) + [numcodecs.Shuffle(elementsize=stored_item)]
    da.to_zarr(s, store, component="data", overwrite=True, compressor=COMPRESSOR, filters=filters,
               fill_value=None)
    if LAYOUT.startswith("used-pairs"):
        p = root.create_dataset("pairs", data=facts["pairs"], chunks=facts["pairs"].shape, dtype="<i4",
                                compressor=None, fill_value=None)
        p.attrs["_ARRAY_DIMENSIONS"] = ["pair", "pair_ij"]
    return root, (rows, cols, m)


def contract_attrs(shape, dtype, err, ndim):
    attrs = {"layout": LAYOUT}
    if LAYOUT != "full":
        attrs["matrix_size"] = int(shape[-1])
    if LAYOUT.startswith("used-pairs"):
        attrs["layout"] = "used-pairs"
        attrs["pairs_axis"] = 0 if LAYOUT == "used-pairs-pair-major" else max(0, len(shape) - 2)
    attrs["original_shape"] = [int(n) for n in shape]
    attrs["original_dtype"] = dtype.str if dtype.itemsize > 1 else "|" + dtype.str[1:]
    attrs["max_abs_error"] = err
    attrs["strategy"] = STRATEGY_ATTR
    attrs["created_by"] = CREATED_BY
    axis = attrs.get("pairs_axis", -1)
    attrs["_ARRAY_DIMENSIONS"] = ["pair" if i == axis else "dim_%d" % i for i in range(ndim)]
    return attrs


def measure(x, path, index):
    """The second pass: every block of the input against what the store gives back."""
    rows, cols, m = index
    d = da.from_zarr(path, component="data")
    if LAYOUT == "used-pairs-pair-major":
        d = da.moveaxis(d, 0, -1)
    if LAYOUT == "full":
        d = d.rechunk(x.chunks)
    else:
        d = d.rechunk(x.chunks[:-2] + ((d.shape[-1],),))
    errs = [dask.delayed(block_error)(a, b, rows, cols, m)
            for a, b in zip(x.to_delayed().ravel().tolist(), d.to_delayed().ravel().tolist())]
    return max(dask.compute(*errs)) if errs else 0.0


def zip_dir(src, dst):
    """The directory store as one zip zarr.ZipStore opens (entries STORED, like the app's)."""
    with zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for base, _dirs, files in sorted(os.walk(src)):
            for name in sorted(files):
                full = os.path.join(base, name)
                zf.write(full, os.path.relpath(full, src).replace(os.sep, "/"))


def main(argv):
    args = parse_args(argv)
    out = args.output
    as_zip = out.endswith(".zip")
    store_dir = out[: -len(".zip")] + ".d" if as_zip else out
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        client = Client(LocalCluster(n_workers=args.workers, threads_per_worker=args.threads_per_worker))
    try:
        shapes = [npy_header(p)[0] for p in args.inputs]
        dtype = npy_header(args.inputs[0])[1].newbyteorder("<")
        kind, size = dtype.kind, dtype.itemsize
        if kind not in "biuf" or size not in (1, 2, 4, 8) or kind == "f" and size == 1:
            refuse("dtype %s is not a plain number type" % dtype)
        shape = (sum(s[0] for s in shapes),) + tuple(shapes[0][1:]) if shapes[0] else ()
        if len(shape) == 0 or 0 in shape:
            refuse("an empty or 0-d array has nothing to compress; keep the .npy")
        if LAYOUT != "full":
            problem = square_stack_problem(shape, "the %s layout" % LAYOUT)
            if problem:
                refuse(problem)
        # First pass in blocks of ~64 MiB of input rows (a single matrix a packed layout stores as one
        # row is one block); then, where stored rows are input rows, blocks of one zarr chunk each.
        whole = len(shape) == 2 and LAYOUT != "full"
        row_bytes = int(np.prod(shape[1:])) * size if len(shape) > 1 else size
        x = open_inputs(args.inputs, shape[0] if whole else max(1, (64 << 20) // row_bytes))
        facts = dask_scan(x, args.inputs)
        if NAN_REFUSAL is not None and facts["nan"] + facts["inf"] > 0:
            refuse(NAN_REFUSAL)
        if ENCODING == "quantized":
            quantization_plan(facts)
        stored_shape, chunks, _ = zarr_chunks_and_dtype(shape, dtype, facts)
        if LAYOUT != "used-pairs-pair-major" and not whole:
            x = open_inputs(args.inputs, chunks[0] if tuple(chunks[1:]) == tuple(stored_shape[1:]) else 1)
        root, index = write_store(x, args.inputs, store_dir, facts)
        err = measure(x, store_dir, index)
        root.attrs["restore_python"] = restore_snippet(out if as_zip else store_dir, as_zip)
        root["data"].attrs.put(contract_attrs(shape, dtype, err, root["data"].ndim))
        if as_zip:
            zip_dir(store_dir, out)
            shutil.rmtree(store_dir)
        size_out = os.path.getsize(out) if as_zip else sum(
            os.path.getsize(os.path.join(b, f)) for b, _d, fs in os.walk(out) for f in fs)
        print(json.dumps({"output": out, "bytes": size_out, "max_abs_error": err}))
    finally:
        client.close()
    return 0


def restore_snippet(path, as_zip):
    name = os.path.basename(path)
    text = RESTORE_PYTHON.replace(json.dumps(DEFAULT_OUTPUT), json.dumps(name))
    if not as_zip:
        text = text.replace("zarr.ZipStore(%s, mode=\"r\")" % json.dumps(name), "zarr.DirectoryStore(%s)" % json.dumps(name))
    return text


if __name__ == "__main__":
    sys.exit(main(sys.argv))
