// Interop: files written by our HDF5 adapter (h5wasm, HDF5 2.0.0) must open in h5py (Debian's, HDF5
// 1.10) with the dtype, shape, bit-identical values and attribute types of the file contract
// (docs/FILE-FORMAT.md), and h5dump must list the filter. Needs /usr/bin/python3 with numpy + h5py and
// h5dump: on CI (CI=true) their absence fails the suite; locally it is skipped with a reason.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getH5, scratchPath } from '../../src/hdf5/h5wasm-init';
import { writeHdf5File } from '../../src/hdf5/write';
import { readHdf5File } from '../../src/hdf5/read';
import { setMaxAbsError } from '../../src/hdf5/max-abs-error';
import { readFileBytes, removeFile } from '../../src/hdf5/files';
import { FLOAT16_DATATYPE_BODY } from '../../src/hdf5/float16-patch';
import { MSG_DATATYPE, allMessages, locateDataset, memorySink } from '../../src/hdf5/object-header';
import type { AttrValue, DatasetPlan, FilterSpec, StoredDType } from '../../src/hdf5/types';
import { STORED_DTYPES } from '../../src/hdf5/types';
import { ROOT_ATTRS, bytesOf, contractAttrs, sampleData } from '../unit/hdf5/hdf5-test-helpers';

// The interpreter with numpy + h5py (Debian's); overridable to check the missing-tools behaviour.
const PYTHON = process.env.H5SQUEEZE_PYTHON ?? '/usr/bin/python3';

function missingTools(): string | null {
  const py = spawnSync(PYTHON, ['-c', 'import h5py, numpy'], { encoding: 'utf8' });
  if (py.error || py.status !== 0)
    return `${PYTHON} with h5py + numpy is not available (${py.stderr || py.error})`;
  const dump = spawnSync('h5dump', ['--version'], { encoding: 'utf8' });
  if (dump.error || dump.status !== 0) return 'h5dump is not installed';
  return null;
}

const MISSING = missingTools();
const ON_CI = process.env.CI === 'true';
if (MISSING && !ON_CI) console.warn(`[interop] skipping HDF5/h5py interop tests: ${MISSING}`);

// Prints, per file, what h5py sees. Floats travel as the hex of their 8 little-endian bytes.
const INSPECT = String.raw`
import sys, json, hashlib, struct
import h5py, numpy as np

def attr(v):
    if isinstance(v, str):
        return {"py": "str", "value": v}
    if isinstance(v, np.ndarray):
        return {"py": "ndarray", "dtype": v.dtype.str, "shape": list(v.shape), "value": v.tolist()}
    if isinstance(v, np.generic):
        out = {"py": type(v).__name__, "dtype": v.dtype.str}
        if v.dtype.kind == "f":
            out["hex"] = struct.pack("<d", float(v)).hex()
        else:
            out["value"] = int(v)
        return out
    return {"py": type(v).__name__, "repr": repr(v)}

out = {}
for path in sys.argv[1:]:
    with h5py.File(path, "r") as f:
        d = f["data"]
        a = d[...]
        out[path] = {
            "dtype": d.dtype.str,
            "dtypeName": d.dtype.name,
            "shape": list(d.shape),
            "maxshape": [m for m in d.maxshape],
            "chunks": list(d.chunks) if d.chunks else None,
            "compression": d.compression,
            "compression_opts": d.compression_opts if not isinstance(d.compression_opts, tuple) else list(d.compression_opts),
            "shuffle": d.shuffle,
            "scaleoffset": d.scaleoffset,
            "fletcher32": d.fletcher32,
            "sha256": hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest(),
            "attrs": {k: attr(v) for k, v in d.attrs.items()},
            "rootAttrs": {k: attr(v) for k, v in f.attrs.items()},
        }
print(json.dumps(out))
`;

interface PyAttr {
  py: string;
  dtype?: string;
  shape?: number[];
  value?: unknown;
  hex?: string;
}

interface PyView {
  dtype: string;
  dtypeName: string;
  shape: number[];
  maxshape: number[];
  chunks: number[] | null;
  compression: string | null;
  compression_opts: unknown;
  shuffle: boolean;
  scaleoffset: number | null;
  fletcher32: boolean;
  sha256: string;
  attrs: Record<string, PyAttr>;
  rootAttrs: Record<string, PyAttr>;
}

const NUMPY_DTYPE: Record<StoredDType, string> = {
  f2: '<f2',
  f4: '<f4',
  f8: '<f8',
  i1: '|i1',
  u1: '|u1',
  i2: '<i2',
  u2: '<u2',
  i4: '<i4',
  u4: '<u4',
  i8: '<i8',
  u8: '<u8',
};

const hexOf = (v: number) => Buffer.from(Float64Array.of(v).buffer).toString('hex');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface Case {
  name: string;
  plan: DatasetPlan;
  maxAbsError?: number;
  /** Substrings `h5dump -H -p` must print for /data. */
  dump: string[];
  h5pyFilter: Partial<Pick<PyView, 'compression' | 'shuffle' | 'scaleoffset' | 'fletcher32'>>;
}

const QUANT_ATTRS: Record<string, AttrValue> = {
  scale_factor: { type: 'float64', value: 0.015625 },
  add_offset: { type: 'float64', value: -10.25 },
};

function makeCase(
  name: string,
  dtype: StoredDType,
  shape: number[],
  chunks: number[] | undefined,
  filter: FilterSpec | undefined,
  dump: string[],
  h5pyFilter: Case['h5pyFilter'],
  attrs: Record<string, AttrValue> = contractAttrs(),
  maxAbsError?: number,
): Case {
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    name,
    plan: { data: sampleData(dtype, n, n), dtype, shape, chunks, filter, attrs, rootAttrs: ROOT_ATTRS },
    maxAbsError,
    dump,
    h5pyFilter,
  };
}

const TRI = (141 * 142) / 2; // 10011 values: an odd last axis
const CASES: Case[] = [
  makeCase(
    'f8 contiguous',
    'f8',
    [10, 20],
    undefined,
    undefined,
    ['CONTIGUOUS', 'FILTERS {\n      NONE'],
    {
      compression: null,
    },
    contractAttrs({ layout: { type: 'string', value: 'full' } }),
    0,
  ),
  makeCase(
    'f4 gzip-4',
    'f4',
    [12, 30],
    [4, 30],
    { id: 1, opts: [4] },
    ['COMPRESSION DEFLATE { LEVEL 4 }'],
    {
      compression: 'gzip',
    },
    contractAttrs(),
    9.5e-7,
  ),
  makeCase(
    'f4 scaleoffset-4',
    'f4',
    [12, 30],
    [4, 30],
    { id: 6, opts: [0, 4] },
    ['SCALEOFFSET'],
    {
      scaleoffset: 4,
    },
    contractAttrs(),
    8e-5,
  ),
  makeCase(
    'i2 scaleoffset-int quantized',
    'i2',
    [12, 30],
    [6, 30],
    { id: 6, opts: [2, 0] },
    ['SCALEOFFSET'],
    {
      scaleoffset: 0,
    },
    contractAttrs(QUANT_ATTRS),
    0.0078125,
  ),
  makeCase('i4 shuffle', 'i4', [12, 30], [6, 30], { id: 2, opts: [] }, ['PREPROCESSING SHUFFLE'], {
    shuffle: true,
  }),
  makeCase('u1 fletcher32', 'u1', [12, 30], [6, 30], { id: 3, opts: [] }, ['CHECKSUM FLETCHER32'], {
    fletcher32: true,
  }),
  makeCase(
    'f2 contiguous even',
    'f2',
    [6, 8],
    undefined,
    undefined,
    ['CONTIGUOUS'],
    {},
    contractAttrs(),
    7.8e-3,
  ),
  makeCase('f2 contiguous odd', 'f2', [5, 7], undefined, undefined, ['CONTIGUOUS'], {}),
  makeCase(
    'f2 triangle M=141 gzip',
    'f2',
    [3, TRI],
    [1, TRI],
    { id: 1, opts: [4] },
    ['DEFLATE { LEVEL 4 }'],
    {
      compression: 'gzip',
    },
    contractAttrs(QUANT_ATTRS),
    7.8e-3,
  ),
  makeCase('f2 odd shuffle', 'f2', [9, 11], [2, 11], { id: 2, opts: [] }, ['PREPROCESSING SHUFFLE'], {
    shuffle: true,
  }),
  ...STORED_DTYPES.filter((d) => !['f2', 'f4', 'f8'].includes(d)).map((d) =>
    makeCase(`${d} chunked`, d, [7, 5], [3, 5], undefined, ['CHUNKED ( 3, 5 )'], { compression: null }),
  ),
];

describe.skipIf(MISSING !== null && !ON_CI)(
  'HDF5 files written by the adapter, read by h5py and h5dump',
  () => {
    let dir = '';
    const paths = new Map<string, string>();
    /** sha256 of what h5wasm reads back: h5py must decode the very same values (lossy filters too). */
    const readBackSha = new Map<string, string>();
    let views: Record<string, PyView> = {};

    beforeAll(async () => {
      if (MISSING) return; // CI without tools: the first test fails with the reason
      const env = await getH5();
      dir = mkdtempSync(join(tmpdir(), 'h5squeeze-interop-'));
      CASES.forEach((c, i) => {
        const inFs = scratchPath(env, `interop-${i}`);
        const length = writeHdf5File(inFs, c.plan);
        if (c.maxAbsError !== undefined) expect(setMaxAbsError(inFs, c.maxAbsError)).toBe(length);
        readBackSha.set(c.name, sha256(bytesOf(readHdf5File(inFs).data)));
        const out = join(dir, `case-${i}.h5`);
        writeFileSync(out, readFileBytes(inFs));
        removeFile(inFs);
        paths.set(c.name, out);
      });
      const run = spawnSync(PYTHON, ['-c', INSPECT, ...paths.values()], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      if (run.status !== 0) throw new Error(`h5py inspection failed: ${run.stderr}`);
      views = JSON.parse(run.stdout) as Record<string, PyView>;
    });

    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('has python3 + h5py + numpy and h5dump', () => {
      expect(MISSING).toBeNull();
    });

    for (const c of CASES) {
      it(`${c.name}: dtype, shape, values, filter and attributes as h5py sees them`, () => {
        const v = views[paths.get(c.name)!]!;
        expect(v.dtype).toBe(NUMPY_DTYPE[c.plan.dtype]);
        if (c.plan.dtype === 'f2') expect(v.dtypeName).toBe('float16');
        expect(v.shape).toEqual(c.plan.shape);
        expect(v.maxshape).toEqual(c.plan.shape);
        expect(v.chunks).toEqual(c.plan.chunks ?? null);
        expect(v.sha256).toBe(readBackSha.get(c.name));
        const lossy = c.plan.filter?.id === 6 && c.plan.filter.opts[0] === 0;
        if (!lossy) expect(v.sha256).toBe(sha256(bytesOf(c.plan.data)));
        expect(v).toMatchObject(c.h5pyFilter);
        if (c.plan.filter?.id === 1) expect(v.compression_opts).toBe(c.plan.filter.opts[0]);

        // Attribute types exactly as docs/FILE-FORMAT.md.
        for (const [name, attr] of Object.entries(c.plan.attrs)) {
          const got = v.attrs[name];
          switch (attr.type) {
            case 'string':
              expect(got).toEqual({ py: 'str', value: attr.value });
              break;
            case 'float64':
              expect(got).toEqual({ py: 'float64', dtype: '<f8', hex: hexOf(attr.value) });
              break;
            case 'int64':
              expect(got).toEqual({ py: 'int64', dtype: '<i8', value: attr.value });
              break;
            case 'int64[]':
              expect(got).toEqual({
                py: 'ndarray',
                dtype: '<i8',
                shape: [attr.value.length],
                value: attr.value,
              });
              break;
          }
        }
        const mae = v.attrs.max_abs_error!;
        expect(mae.py).toBe('float64');
        if (c.maxAbsError !== undefined) expect(mae.hex).toBe(hexOf(c.maxAbsError));
        else expect(Buffer.from(mae.hex!, 'hex').readDoubleLE(0)).toBeNaN(); // "not measured"
        expect(Object.keys(v.attrs).sort()).toEqual(
          [...new Set([...Object.keys(c.plan.attrs), 'max_abs_error'])].sort(),
        );
        expect(v.rootAttrs).toEqual({
          restore_python: { py: 'str', value: ROOT_ATTRS.restore_python!.value },
        });
      });

      it(`${c.name}: h5dump -H -p lists the layout and filter`, () => {
        const run = spawnSync('h5dump', ['-H', '-p', '-d', '/data', paths.get(c.name)!], {
          encoding: 'utf8',
        });
        expect(run.status).toBe(0);
        for (const s of c.dump) expect(run.stdout).toContain(s);
        if (c.plan.dtype === 'f2') expect(run.stdout).toContain('16-bit little-endian floating-point');
      });
    }

    it("our float16 datatype message is byte-for-byte the one h5py writes for '<f2'", () => {
      const out = join(dir, 'h5py-f2.h5');
      const script = `import h5py, numpy as np\nwith h5py.File("${out}", "w", libver=("v108", "latest")) as f:\n    f.create_dataset("data", data=np.arange(6, dtype=np.float16))`;
      const run = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      const bytes = new Uint8Array(readFileSync(out));
      const sink = memorySink(bytes);
      const dt = allMessages(locateDataset(sink).dataset).find((m) => m.type === MSG_DATATYPE)!;
      expect([...sink.read(dt.dataOffset, dt.size)]).toEqual([...FLOAT16_DATATYPE_BODY]);
    });

    it('float16 values read by h5py equal numpy astype(float16) of the same numbers', async () => {
      // numpy rounds these to half; we store numpy's bit patterns and h5py must decode them the same.
      const numbers = '[1/3, -2.5e-5, 65504.0, 0.1, -0.0, 1e-7]';
      const py = (code: string, ...args: string[]) =>
        spawnSync(PYTHON, ['-c', `import h5py, numpy as np, sys\n${code}`, ...args], {
          encoding: 'utf8',
        }).stdout.trim();
      const bits = Uint16Array.from(
        py(`print(" ".join(str(int(x)) for x in np.array(${numbers}).astype(np.float16).view(np.uint16)))`)
          .split(' ')
          .map(Number),
      );
      const env = await getH5();
      const p = scratchPath(env, 'astype');
      writeHdf5File(p, { data: bits, dtype: 'f2', shape: [bits.length], attrs: {}, rootAttrs: {} });
      const out = join(dir, 'astype.h5');
      writeFileSync(out, readFileBytes(p));
      removeFile(p);
      const viaFile = py(
        'with h5py.File(sys.argv[1], "r") as f:\n    print(repr(f["data"][...].astype(np.float64).tolist()))',
        out,
      );
      const direct = py(`print(repr(np.array(${numbers}).astype(np.float16).astype(np.float64).tolist()))`);
      expect(viaFile).not.toBe('');
      expect(viaFile).toBe(direct);
    });
  },
);
