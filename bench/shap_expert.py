#!/usr/bin/env python3
"""The "expert" h5py pipeline for a stack of (nearly) symmetric matrices, e.g. SHAP interaction values:
what a Python user who knows numpy + h5py writes in ~10 lines, and the bar the app has to beat.

usage: /usr/bin/python3 bench/reference_h5py.py --expert PATH.npy [--expert MORE.npy ...]
           [--tau 1e-4 --tau 0.0079 ...] [--variant gzip4 ...] [--chunks auto|rows] [--workdir DIR]
(or the same arguments to bench/shap_expert.py). Prints one JSON object on stdout.

For a stack X (N x M x M) and a max-abs tolerance tau:
1. symmetrise: S = (X + X^T)/2, which costs max|X - X^T|/2 of the error budget, so the grid below is
   built for tau' = tau - max|X - X^T|/2 (if that is <= 0, the pairs (i, j) of the full matrix are
   kept instead of the upper triangle, with tau' = tau);
2. quantize the upper triangle (i <= j, np.triu_indices order) on a grid through 0:
   q = rint(S_ij / step), step = 2 tau'; the restored q*step is checked in float64 against X itself
   (both X_ij and X_ji) and the step shrunk by 2^-20 until max|X - q*step| <= tau holds;
3. keep only the pairs whose code is non-zero in at least one matrix (a pair that is 0 everywhere
   restores to 0 anyway): an N x K dataset `q` in the smallest signed integer type that holds it
   (int8 / int16 / int32 / int64) plus a K x 2 `pairs` index (uint8 or uint16) and attributes
   step, shape, dtype, layout;
4. write with h5py. Variants (all on the same codes):
     gzip4 / gzip9   shuffle=True, compression='gzip', level 4 (the headline `expert`) or 9;
     blosc-zstd      hdf5plugin.Blosc(cname='zstd', clevel=5, shuffle=BITSHUFFLE)  ("plugins allowed");
     blosc-zstd9     the same at clevel=9;
     bitshuffle-lz4  hdf5plugin.Bitshuffle() (lz4; Debian's bitshuffle 0.3 has no zstd).
   Chunks: h5py's automatic chunking (what a typical user gets by just passing compression=...);
   --chunks rows uses whole rows grouped up to 1 MiB instead.
Each variant's file is read back, the full N x M x M float64 array is rebuilt (both triangles) and
max|restored - X| measured against the loaded array. bytes is the file size; dataBytes the stored
(compressed) bytes of the two datasets, the rest being HDF5 metadata (a few KB, which dominates on
tiny inputs). Times: encodeMs (steps 1-3, shared by the
variants), writeMs, readMs (read + rebuild), and ms = encodeMs + writeMs + readMs per variant.
maxAbsErrorAsInput is the error if the rebuilt array is cast back to the input dtype (float32
rounding of the restored values can add up to half an ulp of the value on top of tau).
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import h5py
import numpy as np

CHUNK_TARGET_BYTES = 1 << 20
VARIANTS = ('gzip4', 'gzip9', 'blosc-zstd', 'blosc-zstd9', 'bitshuffle-lz4')


def smallest_int(lo, hi):
    for t in (np.int8, np.int16, np.int32, np.int64):
        if np.iinfo(t).min <= lo and hi <= np.iinfo(t).max:
            return t
    raise ValueError('codes do not fit in int64: tau is too small for these values')


def encode(x, tau):
    """Steps 1-3: returns a dict with q (N x K ints), pairs (K x 2), step, layout and a few counts."""
    x = np.asarray(x)
    if not np.all(np.isfinite(x)):
        raise ValueError('the expert pipeline expects finite values')
    x = x.astype(np.float64, copy=False)
    m = x.shape[-1]
    asym = float(np.max(np.abs(x - np.swapaxes(x, 1, 2)))) if x.size else 0.0
    upper = asym / 2 < tau
    if upper:
        i, j = np.triu_indices(m)
    else:
        i, j = (k.reshape(-1) for k in np.indices((m, m)))
    a = x[:, i, j]
    b = x[:, j, i] if upper else a
    s = (a + b) / 2
    step = 2 * (tau - asym / 2) if upper else 2 * tau
    for _ in range(64):
        q = np.rint(s / step)
        r = q * step
        err = max(float(np.max(np.abs(a - r), initial=0)), float(np.max(np.abs(b - r), initial=0)))
        if err <= tau:
            break
        step *= 1 - 2.0 ** -20
    else:
        raise RuntimeError('could not meet tau=%g (last error %g)' % (tau, err))
    keep = np.flatnonzero(np.any(q != 0, axis=0))
    q = q[:, keep]
    dtype = smallest_int(q.min(initial=0), q.max(initial=0))
    pair_type = np.uint8 if m <= 256 else np.uint16
    return {
        'q': q.astype(dtype), 'pairs': np.stack([i[keep], j[keep]], axis=1).astype(pair_type),
        'step': step, 'layout': 'upper' if upper else 'full', 'maxAsymmetry': asym,
        'nonzeroPairs': int(np.count_nonzero(np.any(s != 0, axis=0))), 'totalPairs': int(i.size),
        'encodeError': err,
    }


def filter_kwargs(variant):
    if variant in ('gzip4', 'gzip9'):
        return {'shuffle': True, 'compression': 'gzip', 'compression_opts': int(variant[-1])}
    import hdf5plugin
    if variant in ('blosc-zstd', 'blosc-zstd9'):
        level = 9 if variant == 'blosc-zstd9' else 5
        return dict(hdf5plugin.Blosc(cname='zstd', clevel=level, shuffle=hdf5plugin.Blosc.BITSHUFFLE))
    if variant == 'bitshuffle-lz4':
        return dict(hdf5plugin.Bitshuffle())
    raise ValueError('unknown variant %r' % variant)


def write(path, enc, shape, dtype, variant, chunks='auto'):
    q = enc['q']
    kw = filter_kwargs(variant) if q.size else {}
    if q.size and chunks == 'rows':
        kw['chunks'] = (max(1, min(q.shape[0], CHUNK_TARGET_BYTES // (q.shape[1] * q.itemsize))), q.shape[1])
    with h5py.File(path, 'w') as f:
        ds = f.create_dataset('q', data=q, **kw)
        f.create_dataset('pairs', data=enc['pairs'])
        f.attrs['step'] = enc['step']
        f.attrs['shape'] = np.array(shape, np.int64)
        f.attrs['dtype'] = np.dtype(dtype).str
        f.attrs['layout'] = enc['layout']
        return ds.chunks, ds.id.get_storage_size() + f['pairs'].id.get_storage_size()


def restore(path):
    """The full N x M x M array (float64) from an expert file."""
    with h5py.File(path, 'r') as f:
        q = f['q'][...]
        i, j = f['pairs'][...].T.astype(np.intp)
        step = float(f.attrs['step'])
        shape = tuple(int(n) for n in f.attrs['shape'])
        symmetric = f.attrs['layout'] == 'upper'
    out = np.zeros(shape, np.float64)
    v = q * step
    out[:, i, j] = v
    if symmetric:
        out[:, j, i] = v
    return out


def blosc_codec(path):
    """Which compressor blosc really used for the first chunk (a blosc lacking zstd would not say zstd)."""
    names = {0: 'blosclz', 1: 'lz4', 2: 'snappy', 3: 'zlib', 4: 'zstd'}
    with h5py.File(path, 'r') as f:
        ds = f['q']
        if ds.chunks is None or ds.size == 0:
            return None
        raw = ds.id.read_direct_chunk((0,) * ds.ndim)[1]
    return names.get(raw[2] >> 5, 'unknown')


def run(path, taus, variants, chunks, workdir, keep=False):
    t = time.perf_counter()
    x = np.load(path)
    load_ms = (time.perf_counter() - t) * 1e3
    if x.ndim != 3 or x.shape[1] != x.shape[2]:
        raise SystemExit('expected a stack of square matrices, got shape %s' % (x.shape,))
    x64 = x.astype(np.float64)
    res = {'path': os.path.abspath(path), 'shape': list(x.shape), 'dtype': x.dtype.str,
           'rawBytes': int(x.nbytes), 'loadMs': load_ms, 'runs': []}
    for tau in taus:
        t = time.perf_counter()
        enc = encode(x, tau)
        encode_ms = (time.perf_counter() - t) * 1e3
        run_ = {'tau': tau, 'step': enc['step'], 'layout': enc['layout'], 'maxAsymmetry': enc['maxAsymmetry'],
                'nonzeroPairs': enc['nonzeroPairs'], 'keptPairs': int(enc['q'].shape[1]),
                'totalPairs': enc['totalPairs'], 'intType': enc['q'].dtype.name,
                'codeRange': [int(enc['q'].min(initial=0)), int(enc['q'].max(initial=0))],
                'encodeMs': encode_ms, 'variants': []}
        for v in variants:
            out = os.path.join(workdir, '%s-tau%g-%s.h5' % (os.path.splitext(os.path.basename(path))[0], tau, v))
            t0 = time.perf_counter()
            chunk_shape, stored = write(out, enc, x.shape, x.dtype, v, chunks)
            t1 = time.perf_counter()
            back = restore(out)
            t2 = time.perf_counter()
            err = float(np.max(np.abs(back - x64), initial=0))
            err_as_input = float(np.max(np.abs(back.astype(x.dtype).astype(np.float64) - x64), initial=0))
            size = os.path.getsize(out)
            row = {'id': v, 'bytes': size, 'ratio': size / x.nbytes if x.nbytes else None, 'dataBytes': stored, 'maxAbsError': err,
                   'withinTau': err <= tau, 'maxAbsErrorAsInput': err_as_input,
                   'chunks': list(chunk_shape) if chunk_shape else None,
                   'writeMs': (t1 - t0) * 1e3, 'readMs': (t2 - t1) * 1e3,
                   'ms': encode_ms + (t2 - t0) * 1e3}
            if v.startswith('blosc'):
                row['bloscCodec'] = blosc_codec(out)
            run_['variants'].append(row)
            del back
            if not keep:
                os.remove(out)
        run_['expert'] = next((r for r in run_['variants'] if r['id'] == 'gzip4'), None)
        ok = [r for r in run_['variants'] if r['withinTau']]
        run_['best'] = min(ok, key=lambda r: r['bytes'])['id'] if ok else None
        res['runs'].append(run_)
    return res


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--expert', action='append', required=True, metavar='PATH.npy',
                   help='stack to encode (repeatable)')
    p.add_argument('--tau', action='append', type=float, help='max abs error (repeatable; default 1e-4)')
    p.add_argument('--variant', action='append', choices=VARIANTS, help='default: all')
    p.add_argument('--chunks', choices=('auto', 'rows'), default='auto')
    p.add_argument('--workdir', help='where files are written (default: a temp dir, removed)')
    p.add_argument('--keep', action='store_true', help='keep the .h5 files (needs --workdir)')
    args = p.parse_args(argv)
    variants = args.variant or list(VARIANTS)
    skipped = []
    if any(not v.startswith('gzip') for v in variants):
        try:
            import hdf5plugin  # noqa: F401
        except ImportError as e:
            skipped = [{'id': v, 'reason': 'no hdf5plugin (%s)' % e}
                       for v in variants if not v.startswith('gzip')]
            variants = [v for v in variants if v.startswith('gzip')]
    own = args.workdir is None
    workdir = tempfile.mkdtemp(prefix='h5sq-expert-') if own else args.workdir
    try:
        inputs = [run(path, args.tau or [1e-4], variants, args.chunks, workdir, args.keep and not own)
                  for path in args.expert]
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)
    try:
        import hdf5plugin
        plugin_version = hdf5plugin.version
    except ImportError:
        plugin_version = None
    json.dump({'python': sys.version.split()[0], 'numpy': np.__version__, 'h5py': h5py.__version__,
               'hdf5': h5py.version.hdf5_version, 'hdf5plugin': plugin_version, 'chunks': args.chunks,
               'inputs': inputs, 'skipped': skipped}, sys.stdout, indent=1)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
