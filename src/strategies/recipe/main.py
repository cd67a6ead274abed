# The script's entry point: facts, the app's checks, the file, then its measured error.


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 2
    src = argv[1]
    out = argv[2] if len(argv) > 2 else DEFAULT_OUTPUT
    a = np.load(src, mmap_mode="r")
    kind, size = a.dtype.kind, a.dtype.itemsize
    if kind not in "biuf" or size not in (1, 2, 4, 8) or kind == "f" and size == 1:
        refuse("dtype %s is not a plain number type" % a.dtype)
    problem = shape_problem(a.shape)
    if problem:
        refuse(problem)
    facts = scan(a)
    check(facts)
    write(a, out, facts)
    err = verify(a, out, facts)
    record_error(out, err)
    print(json.dumps({"output": out, "bytes": os.path.getsize(out), "max_abs_error": err}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
