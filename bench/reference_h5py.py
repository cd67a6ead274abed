#!/usr/bin/env python3
"""Reference sweep for the benchmark: the app's default strategies, written the way a careful Python
user would with numpy + h5py, in one process.

Usage: /usr/bin/python3 bench/reference_h5py.py INPUT.npy [--workdir DIR] [--decimals 4] [--eps 1e-4]
                                                [--gzip-level 4] [--plugin-specs SPECS.json]

Each strategy is timed as: encode (cast / quantize) + write the real file + read it back + decode
(+ unpack the triangle) + max |error| against the loaded array. The triangle packing of (A+A.T)/2 is
computed once per run (the app's workers cache it too) and reported separately as `layoutMs`.
Files are written to --workdir (default: a fresh temp dir) and deleted after each strategy.
Prints one JSON object on stdout.

Expert pipeline (bench/shap_expert.py): /usr/bin/python3 bench/reference_h5py.py --expert PATH.npy
[--tau 1e-4 --tau 0.0079 ...] quantizes on a grid through 0, keeps the upper-triangle pairs that are
non-zero somewhere, and writes int codes with shuffle + gzip (levels 4 and 9) and with hdf5plugin
(blosc zstd + bitshuffle, bitshuffle lz4); prints size, measured max |error| and time as JSON.

Parameters mirror the app (src/strategies/*.ts, docs/FILE-FORMAT.md, docs/ARCHITECTURE.md):
- chunks hold whole leading-axis rows, grouped up to 1 MiB (src/strategies/common.ts rowChunks);
- float16 / float32 / native are contiguous; gzip, scaleoffset and quantized are chunked;
- scaleoffset=D on float32 and on float64 (h5py: H5Z_SO_FLOAT_DSCALE);
- quantized: scale = 2*eps*(1 - 2**-20), offset = min, q = round((x - offset)/scale) in the smallest
  unsigned integer type that fits, with scaleoffset=0 (automatic minbits, the app's filter 6,[2,0]),
  gzip, or shuffle + gzip (h5py's shuffle=True, chunk heights as the app's shuffleRowChunks in
  src/strategies/common.ts); CF scale_factor / add_offset attributes. For the triangle layout the
  encoding's eps is the user's eps minus half of max|A - A.T| (what the layout itself costs), as in
  the app.

--plugin-specs names a JSON list of the app's plugin-codec strategies ({id, layout, values, filter,
opts, min_filter_version}: the HDF5 filter id and cd_values the app uses, from its filter registry
src/core/filters.ts, written by bench/run.ts).
They run through hdf5plugin with the same filter and cd_values when this Python has it; a filter it
lacks (Debian's hdf5plugin has no zstd 32015, and its bitshuffle has no zstd) is listed in `skipped`.
"""
import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time

import h5py
import numpy as np

CHUNK_TARGET_BYTES = 1 << 20
FULL = 'full'
TRIANGLE = 'upper-triangle-rowmajor'


# Bit-packed quantized integers use smaller chunks (src/strategies/common.ts BITPACK_CHUNK_TARGET_BYTES).
BITPACK_CHUNK_TARGET_BYTES = 64 << 10


def row_chunks(shape, item_bytes, target=CHUNK_TARGET_BYTES):
    """Whole rows of the leading axis, as many as fit in `target` bytes (at least one)."""
    row_bytes = int(np.prod(shape[1:])) * item_bytes
    rows = max(1, min(shape[0], target // row_bytes))
    return (rows,) + tuple(shape[1:])


def shuffle_row_chunks(shape, item_bytes, target=CHUNK_TARGET_BYTES):
    """row_chunks' height or a lower one down to half of it, leaving the fewest rows in a partial last
    chunk (ties: the taller), as the app's shuffle + gzip chunks (src/strategies/common.ts
    shuffleRowChunks)."""
    chunks = row_chunks(shape, item_bytes, target)
    rows, c = shape[0], chunks[0]
    best = c
    for h in range(c, max(1, -(-c // 2)) - 1, -1):
        if rows % h < rows % best:
            best = h
        if rows % best == 0:
            break
    return (best,) + chunks[1:]


def quantization(lo, hi, eps):
    scale = 2.0 * eps * (1.0 - 2.0 ** -20)
    levels = int(np.floor((hi - lo) / scale + 0.5))
    for dtype in (np.uint8, np.uint16, np.uint32, np.uint64):
        if levels <= np.iinfo(dtype).max:
            return scale, lo, dtype
    raise ValueError('eps too small for 64-bit integers')


def filter_problem(filter_id, opts, min_version=None):
    """Why this HDF5 can't write the filter as the app does (None if it can), found on a tiny
    in-memory file so that a missing filter costs no timed work. `min_version` comes from the app's
    filter registry (src/core/filters.ts minFilterVersion): builds of the filter older than that record
    their version in cd_values[0:2] and accept the options but ignore them."""
    try:
        with h5py.File('probe.h5', 'w', driver='core', backing_store=False) as f:
            ds = f.create_dataset('p', data=np.zeros((2, 8), np.int32), chunks=(1, 8),
                                  compression=filter_id, compression_opts=tuple(opts))
            stored = ds.id.get_create_plist().get_filter(0)[2]
    except Exception as e:
        return '%s: %s' % (type(e).__name__, e)
    # e.g. bitshuffle < 0.4 records a zstd request but silently writes bitshuffle without compression.
    if min_version and tuple(stored[:2]) < tuple(min_version):
        return 'filter %d version %d.%d ignores these options (needs >= %d.%d)' % (
            (filter_id,) + tuple(stored[:2]) + tuple(min_version))
    return None


class Sweep:
    def __init__(self, a, workdir, decimals, eps, gzip_level):
        self.a = a
        self.workdir = workdir
        self.decimals = decimals
        self.eps = eps
        self.gzip_level = gzip_level
        self.m = a.shape[-1]
        self.lo = float(a.min())
        self.hi = float(a.max())
        self.results = []
        self.skipped = []
        self.layout_ms = {}
        self.values = {}
        self.layout_error = {}

        t = time.perf_counter()
        self.values[FULL] = a
        self.layout_error[FULL] = 0.0
        self.layout_ms[FULL] = (time.perf_counter() - t) * 1e3

        t = time.perf_counter()
        self.iu = np.triu_indices(self.m)
        # Upper triangle of (A + A.T)/2 incl. the diagonal, rows in np.triu_indices order.
        upper = a[..., self.iu[0], self.iu[1]]
        lower = a[..., self.iu[1], self.iu[0]]
        self.values[TRIANGLE] = (upper + lower) / 2
        self.layout_error[TRIANGLE] = float(np.max(np.abs(upper - lower))) / 2 if upper.size else 0.0
        del upper, lower
        self.layout_ms[TRIANGLE] = (time.perf_counter() - t) * 1e3

    # --- helpers -------------------------------------------------------------------------------

    def unpack(self, stored, layout):
        if layout == FULL:
            return stored
        full = np.empty(self.a.shape, dtype=stored.dtype)
        full[..., self.iu[0], self.iu[1]] = stored
        full[..., self.iu[1], self.iu[0]] = stored
        return full

    def max_err(self, decoded, layout):
        full = self.unpack(decoded, layout)
        return float(np.max(np.abs(full.astype(np.float64, copy=False) - self.a)))

    def attrs(self, ds, layout, strategy):
        ds.attrs['layout'] = layout
        if layout == TRIANGLE:
            ds.attrs['matrix_size'] = np.int64(self.m)
        ds.attrs['original_shape'] = np.array(self.a.shape, dtype=np.int64)
        ds.attrs['original_dtype'] = self.a.dtype.str
        ds.attrs['strategy'] = json.dumps(strategy)
        ds.attrs['created_by'] = 'h5squeeze bench reference (h5py %s)' % h5py.__version__

    def record(self, rid, sid, layout, params, path, t0, c0, t1, err):
        t2 = time.perf_counter()
        c2 = time.process_time()
        self.results.append({
            'id': rid, 'strategyId': sid, 'layout': layout, 'params': params,
            'bytes': os.path.getsize(path), 'maxAbsError': err,
            'writeMs': (t1 - t0) * 1e3, 'verifyMs': (t2 - t1) * 1e3, 'ms': (t2 - t0) * 1e3,
            'cpuMs': (c2 - c0) * 1e3,
        })
        os.remove(path)

    # --- strategies ----------------------------------------------------------------------------

    def npy(self, layout):
        x = self.values[layout]
        path = os.path.join(self.workdir, 'npy-%s.npy' % layout)
        t0, c0 = time.perf_counter(), time.process_time()
        np.save(path, x)
        t1 = time.perf_counter()
        back = np.load(path)
        err = self.max_err(back, layout)
        self.record('npy:%s' % layout, 'npy', layout, {}, path, t0, c0, t1, err)

    def hdf5(self, sid, layout, params, variant, make):
        """make(x) -> (data, create_dataset kwargs, extra attrs); decode is by dtype/attrs."""
        rid = ':'.join(s for s in (sid, layout, variant) if s)
        path = os.path.join(self.workdir, rid.replace(':', '-') + '.h5')
        x = self.values[layout]
        t0, c0 = time.perf_counter(), time.process_time()
        data, kwargs, extra = make(x)
        with h5py.File(path, 'w') as f:
            ds = f.create_dataset('data', data=data, **kwargs)
            self.attrs(ds, layout, {'id': sid, 'layout': layout, 'params': params})
            for k, v in extra.items():
                ds.attrs[k] = v
        del data
        t1 = time.perf_counter()
        with h5py.File(path, 'r') as f:
            ds = f['data']
            back = ds[...]
            if 'scale_factor' in ds.attrs:
                back = back * float(ds.attrs['scale_factor']) + float(ds.attrs['add_offset'])
        err = self.max_err(back, layout)
        self.record(rid, sid, layout, params, path, t0, c0, t1, err)

    def run(self, plugin_specs):
        for layout in (FULL, TRIANGLE):
            self.run_layout(layout)
            for spec in plugin_specs:
                if spec['layout'] == layout:
                    self.plugin(spec)

    def plugin(self, spec):
        sid, layout, variant = spec['id'].split(':', 2)
        eff = self.eps - self.layout_error[layout]

        def make(x):
            values = spec['values']
            extra = {}
            if values == 'native':
                y = x
            elif values == 'float32':
                y = x.astype(np.float32)
            elif values == 'float16':
                y = x.astype(np.float16)
            elif values == 'quantized':
                scale, offset, dtype = quantization(self.lo, self.hi, eff)
                y = np.rint((x - offset) / scale).astype(dtype)
                extra = {'scale_factor': np.float64(scale), 'add_offset': np.float64(offset)}
            else:
                raise ValueError('unknown values %r' % values)
            kw = {'chunks': row_chunks(y.shape, y.itemsize), 'compression': spec['filter'],
                  'compression_opts': tuple(spec['opts'])}
            return y, kw, extra

        problem = filter_problem(spec['filter'], spec['opts'], spec.get('min_filter_version'))
        if problem:
            self.skipped.append({'id': spec['id'], 'reason': problem})
            return
        self.hdf5(sid, layout, spec.get('params', {}), variant, make)

    def run_layout(self, layout):
        d, eps, level = self.decimals, self.eps, self.gzip_level
        self.npy(layout)
        self.hdf5('hdf5-native', layout, {}, '', lambda x: (x, {}, {}))
        self.hdf5('hdf5-float32', layout, {}, '', lambda x: (x.astype(np.float32), {}, {}))
        self.hdf5('hdf5-float16', layout, {}, '', lambda x: (x.astype(np.float16), {}, {}))
        self.hdf5('hdf5-gzip', layout, {'level': level}, '',
                  lambda x: (x, {'chunks': row_chunks(x.shape, x.itemsize),
                                 'compression': 'gzip', 'compression_opts': level}, {}))
        for base, dtype in (('float32', np.float32), ('float64', np.float64)):
            def so(x, dtype=dtype):
                y = x.astype(dtype, copy=False)
                return y, {'chunks': row_chunks(y.shape, y.itemsize), 'scaleoffset': d}, {}
            self.hdf5('hdf5-scaleoffset', layout, {'decimals': d, 'base': base}, base, so)
        eff = eps - self.layout_error[layout]
        for codec in ('scaleoffset', 'gzip', 'shuffle-gzip'):
            def quant(x, codec=codec):
                scale, offset, dtype = quantization(self.lo, self.hi, eff)
                q = np.rint((x - offset) / scale).astype(dtype)
                if codec == 'scaleoffset':
                    kw = {'chunks': row_chunks(q.shape, q.itemsize, BITPACK_CHUNK_TARGET_BYTES),
                          'scaleoffset': 0}
                elif codec == 'gzip':
                    kw = {'chunks': row_chunks(q.shape, q.itemsize),
                          'compression': 'gzip', 'compression_opts': level}
                else:  # h5py's own shuffle=True before deflate, on the app's shuffle chunks
                    kw = {'chunks': shuffle_row_chunks(q.shape, q.itemsize), 'shuffle': True,
                          'compression': 'gzip', 'compression_opts': level}
                return q, kw, {'scale_factor': np.float64(scale), 'add_offset': np.float64(offset)}
            self.hdf5('hdf5-quantized', layout, {'eps': eps, 'codec': codec, 'level': level}, codec, quant)


def main():
    if any(arg == '--expert' or arg.startswith('--expert=') for arg in sys.argv[1:]):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import shap_expert
        return shap_expert.main(sys.argv[1:])
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('input')
    p.add_argument('--workdir')
    p.add_argument('--decimals', type=int, default=4)
    p.add_argument('--eps', type=float, default=1e-4)
    p.add_argument('--gzip-level', type=int, default=4)
    p.add_argument('--plugin-specs')
    args = p.parse_args()

    plugin_specs = []
    plugin_note = None
    if args.plugin_specs:
        with open(args.plugin_specs) as f:
            plugin_specs = json.load(f)
        try:
            import hdf5plugin  # noqa: F401  (registers the plugin filters with HDF5)
        except ImportError as e:
            plugin_note = 'no hdf5plugin (%s): plugin codecs not run' % e

    own_dir = args.workdir is None
    workdir = tempfile.mkdtemp(prefix='h5sq-ref-') if own_dir else args.workdir
    try:
        t = time.perf_counter()
        a = np.load(args.input)
        load_ms = (time.perf_counter() - t) * 1e3
        if a.ndim != 3 or a.shape[1] != a.shape[2]:
            sys.exit('expected a stack of square matrices, got shape %s' % (a.shape,))
        sweep = Sweep(a, workdir, args.decimals, args.eps, args.gzip_level)
        if plugin_note:
            sweep.skipped.extend({'id': s['id'], 'reason': plugin_note} for s in plugin_specs)
            plugin_specs = []
        sweep.run(plugin_specs)
    finally:
        if own_dir:
            shutil.rmtree(workdir, ignore_errors=True)
    json.dump({
        'python': sys.version.split()[0], 'numpy': np.__version__, 'h5py': h5py.__version__,
        'hdf5': h5py.version.hdf5_version,
        'shape': list(a.shape), 'inputBytes': int(a.nbytes), 'loadMs': load_ms,
        'layoutMs': sweep.layout_ms,
        'strategiesMs': sum(r['ms'] for r in sweep.results),
        'strategiesCpuMs': sum(r['cpuMs'] for r in sweep.results),
        # ru_maxrss is in KiB on Linux.
        'peakRssBytes': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        'strategies': sweep.results,
        'skipped': sweep.skipped,
    }, sys.stdout, indent=1)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
