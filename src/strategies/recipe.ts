// "Export as Python script": a self-contained numpy + h5py program that applies one strategy to the
// user's full .npy on their own machine, exactly as the app does it (same layout, value encoding,
// quantization plan, chunk shape, filter and DESIGN.md §3 attributes), slab by slab so arrays larger
// than memory work, then reads its own output back and records the measured max_abs_error.
// Hard constraint: every numeric step below mirrors a TS function — packUpper (core/triangle.ts),
// planQuantization/quantize (core/quantize.ts), rowChunks (strategies/common.ts), the job runner's
// layout error and metrics (workers/job.ts, core/metrics.ts). Change them together.
import { APP_NAME, APP_VERSION } from '../core/app-info';
import type { Params, StrategyId, StrategySpec } from './types';
import { strategyOf } from './registry';
import { restorePythonSnippet } from './restore-python';
import { CHUNK_TARGET_BYTES } from './common';
import { quantizedChunkTarget } from './hdf5-quantized';
import type { CodecParams } from './hdf5-codec';

export interface RecipeInputs {
  /** The loaded file's name (shown in the header). */
  inputName: string;
  /** The output file name the app used (the script's default output). */
  outputName: string;
  /** What the app measured, quoted in the header so the user can compare. */
  measured?: { bytes: number; maxAbsError: number };
}

/** How the stored values are made from the layout's values (see ENCODE_FUNCTIONS). */
type Encoding = 'raw' | 'float32' | 'float64' | 'float16' | 'quantized';

interface RecipePlan {
  container: 'npy' | 'hdf5';
  encoding: Encoding;
  /** Python keyword arguments for create_dataset's filter, or null for a contiguous dataset. */
  filter: string | null;
  /** Human-readable filter summary for the header. */
  filterLabel: string;
  hdf5plugin: boolean;
  /** Checks the app makes before encoding (strategy.unsupported), as Python statements. */
  checks: string[];
}

export class RecipeUnsupportedError extends Error {
  readonly code = 'RECIPE_UNSUPPORTED';
  constructor(message: string) {
    super(message);
    this.name = 'RecipeUnsupportedError';
  }
}

/** Python literal of a string (JSON string syntax is valid Python for everything we emit). */
function py(s: string): string {
  return JSON.stringify(s);
}

/** A float as Python source that parses back to the same double. */
function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'math.nan';
  if (!Number.isFinite(x)) return x > 0 ? 'math.inf' : '-math.inf';
  const s = String(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

const NO_NAN_CHECK = (what: string) => `if facts["nan"] + facts["inf"] > 0:\n    refuse(${py(what)})`;

const QUANTIZED_CHECKS = [
  NO_NAN_CHECK('integers cannot represent NaN or ±Inf, so quantization is off for this array'),
  'if EPS - facts["layout_error"] <= 0:\n    refuse("the triangle layout alone costs up to %.2e (half of max|A-At|), more than eps" % facts["layout_error"])',
];

function intParam(p: Params, key: string): number {
  const v = Number(p[key]);
  if (!Number.isInteger(v))
    throw new RecipeUnsupportedError(`parameter ${key} = ${String(p[key])} is not an integer`);
  return v;
}

const BLOSC_SHUFFLE: Record<string, string> = {
  none: 'hdf5plugin.Blosc.NOSHUFFLE',
  byte: 'hdf5plugin.Blosc.SHUFFLE',
  bit: 'hdf5plugin.Blosc.BITSHUFFLE',
};

/** hdf5plugin's filter class for a codec: it produces the same cd_values as hdf5-codec.ts codecFilter. */
function codecFilterPython(p: CodecParams): { expr: string; label: string } {
  switch (p.codec) {
    case 'blosc-lz4':
    case 'blosc-zstd': {
      const cname = p.codec === 'blosc-lz4' ? 'lz4' : 'zstd';
      const shuffle = BLOSC_SHUFFLE[p.shuffle];
      if (!shuffle)
        throw new RecipeUnsupportedError(`blosc shuffle ${p.shuffle} is not supported by recipe yet`);
      return {
        expr: `hdf5plugin.Blosc(cname=${py(cname)}, clevel=${p.level}, shuffle=${shuffle})`,
        label: `blosc ${cname} level ${p.level}, ${p.shuffle} shuffle`,
      };
    }
    case 'zstd':
      return { expr: `hdf5plugin.Zstd(clevel=${p.level})`, label: `zstd level ${p.level}` };
    case 'bitshuffle-lz4':
      return { expr: 'hdf5plugin.Bitshuffle(nelems=0, cname="lz4")', label: 'bitshuffle + lz4' };
    case 'bitshuffle-zstd':
      return {
        expr: `hdf5plugin.Bitshuffle(nelems=0, cname="zstd", clevel=${p.level})`,
        label: `bitshuffle + zstd level ${p.level}`,
      };
    case 'lz4':
      return { expr: 'hdf5plugin.LZ4(nbytes=0)', label: 'lz4' };
    case 'bzip2':
      return { expr: `hdf5plugin.BZip2(blocksize=${p.level})`, label: `bzip2 blocksize ${p.level}` };
    case 'zfp-rate':
      return {
        expr: `hdf5plugin.Zfp(rate=${pyFloat(p.rate)})`,
        label: `zfp fixed rate ${p.rate} bits/value`,
      };
    default:
      throw new RecipeUnsupportedError(
        `codec ${String((p as { codec: unknown }).codec)} is not supported by recipe yet`,
      );
  }
}

function planFor(id: StrategyId, p: Params): RecipePlan {
  const base = { hdf5plugin: false, checks: [] as string[] };
  switch (id) {
    case 'npy':
      return {
        ...base,
        container: 'npy',
        encoding: 'raw',
        filter: null,
        filterLabel: 'none (np.save format)',
      };
    case 'hdf5-native':
      return { ...base, container: 'hdf5', encoding: 'raw', filter: null, filterLabel: 'none (contiguous)' };
    case 'hdf5-float32':
      return {
        ...base,
        container: 'hdf5',
        encoding: 'float32',
        filter: null,
        filterLabel: 'none (contiguous)',
      };
    case 'hdf5-float16':
      return {
        ...base,
        container: 'hdf5',
        encoding: 'float16',
        filter: null,
        filterLabel: 'none (contiguous)',
      };
    case 'hdf5-gzip': {
      const level = intParam(p, 'level');
      return {
        ...base,
        container: 'hdf5',
        encoding: 'raw',
        filter: `dict(compression="gzip", compression_opts=${level})`,
        filterLabel: `gzip level ${level}`,
      };
    }
    case 'hdf5-scaleoffset': {
      const d = intParam(p, 'decimals');
      const f32 = p.base !== 'float64';
      return {
        ...base,
        container: 'hdf5',
        encoding: f32 ? 'float32' : 'float64',
        // H5Z_SO_FLOAT_DSCALE with D decimals: h5py's scaleoffset=D on a float dataset.
        filter: `dict(scaleoffset=${d})`,
        filterLabel: `scaleoffset D = ${d} on ${f32 ? 'float32' : 'float64'}`,
        checks: [
          NO_NAN_CHECK('the scaleoffset filter cannot store NaN or ±Inf (they would be silently replaced)'),
          // The filter maps (x − min)·10ᴰ to an unsigned integer of the float's width.
          `if (facts["max"] - facts["min"]) * 10 ** ${d} >= ${f32 ? '2 ** 32 - 1' : '2 ** 53'}:\n    refuse("range x 10^${d} does not fit the integers the scaleoffset filter uses")`,
        ],
      };
    }
    case 'hdf5-quantized': {
      const level = intParam(p, 'level');
      const gzip = p.codec === 'gzip';
      return {
        ...base,
        container: 'hdf5',
        encoding: 'quantized',
        // scaleoffset=0 on integers = H5Z_SO_INT with minbits 0: lossless bit-packing per chunk.
        filter: gzip ? `dict(compression="gzip", compression_opts=${level})` : 'dict(scaleoffset=0)',
        filterLabel: gzip ? `gzip level ${level} on integers` : 'scaleoffset integer bit-packing',
        checks: QUANTIZED_CHECKS,
      };
    }
    case 'hdf5-codec': {
      const c = p as unknown as CodecParams;
      const f = codecFilterPython(c);
      const encoding: Encoding =
        c.values === 'native'
          ? 'raw'
          : c.values === 'float32'
            ? 'float32'
            : c.values === 'float16'
              ? 'float16'
              : c.values === 'quantized'
                ? 'quantized'
                : (() => {
                    throw new RecipeUnsupportedError(
                      `stored values ${String(c.values)} are not supported by recipe yet`,
                    );
                  })();
      const checks = encoding === 'quantized' ? [...QUANTIZED_CHECKS] : [];
      if (c.codec === 'zfp-rate') checks.push(NO_NAN_CHECK('zfp cannot store NaN or ±Inf'));
      return {
        container: 'hdf5',
        encoding,
        filter: `dict(${f.expr})`,
        filterLabel: f.label,
        hdf5plugin: true,
        checks,
      };
    }
    default:
      throw new RecipeUnsupportedError(`strategy ${String(id)} is not supported by recipe yet`);
  }
}

/** The recipe's file name for a result: `<input>-<strategy>.py`. */
export function recipeFileName(outputName: string): string {
  return `${outputName.replace(/\.(h5|npy)$/i, '')}.py`;
}

/**
 * A runnable Python script (numpy + h5py, plus hdf5plugin for plugin codecs) that applies `spec` to a
 * full .npy. Throws RecipeUnsupportedError for a strategy the recipe does not know.
 */
export function recipeScript(spec: StrategySpec, inputs: RecipeInputs): string {
  const def = strategyOf(spec.strategyId) as ReturnType<typeof strategyOf> | undefined;
  if (!def)
    throw new RecipeUnsupportedError(`strategy ${String(spec.strategyId)} is not supported by recipe yet`);
  const params = { ...def.defaults, ...spec.params };
  const plan = planFor(spec.strategyId, params);
  const triangle = spec.layout === 'upper-triangle-rowmajor';
  const quantized = plan.encoding === 'quantized';
  const needsFacts = triangle || plan.checks.length > 0;
  const strategyAttr = JSON.stringify({ id: spec.strategyId, layout: spec.layout, params });
  const restore = restorePythonSnippet(inputs.outputName, { hdf5plugin: plan.hdf5plugin });
  const chunkTarget =
    spec.strategyId === 'hdf5-quantized' ? quantizedChunkTarget(String(params.codec)) : CHUNK_TARGET_BYTES;
  const describe = def.describeParams(params);
  const measured = inputs.measured
    ? `# In the app, on ${inputs.inputName}: ${inputs.measured.bytes} bytes, max abs error ${inputs.measured.maxAbsError}.\n`
    : '';

  return `#!/usr/bin/env python3
# ${APP_NAME} ${APP_VERSION} recipe: ${def.label}${describe ? ` · ${describe}` : ''} · layout ${spec.layout}
# Made from ${inputs.inputName}; the app's file was ${inputs.outputName}.
${measured}"""Apply one h5squeeze storage strategy to a full .npy on your own machine.

usage:  python3 ${recipeFileName(inputs.outputName)} INPUT.npy [OUTPUT]
        (OUTPUT defaults to ${inputs.outputName})

Strategy: ${def.label}${describe ? ` (${describe})` : ''}.
Layout:   ${triangle ? 'upper-triangle-rowmajor: each M x M matrix is stored as the M(M+1)/2 values of (A + A.T)/2 on and above the diagonal, in np.triu_indices(M) order' : 'full: the array as loaded'}.
Values:   ${ENCODING_LABEL[plan.encoding]}.
Filter:   ${plan.filterLabel}.
${plan.container === 'hdf5' ? `Chunks:   whole leading-axis rows, about ${chunkTarget >> 10} KiB each (contiguous when there is no filter).\n` : ''}
The input is read with np.load(mmap_mode="r") in slabs of leading-axis rows, so arrays larger than
memory work.${needsFacts ? ' A first pass measures min, max, NaN/Inf counts' + (triangle ? ' and max|A - A.T|' : '') + ' (the app' + "'" + 's facts).' : ''}
After writing, the script reads its own file back, measures the max abs error against the input and
stores it in the max_abs_error attribute. Needs numpy and h5py${plan.hdf5plugin ? ' and hdf5plugin (pip install hdf5plugin; Bitshuffle(cname=...) needs hdf5plugin >= 4.0)' : ''}.
"""
import json
import math
import os
import sys

import numpy as np
${plan.container === 'hdf5' ? 'import h5py\n' : ''}${plan.hdf5plugin ? 'import hdf5plugin  # registers the compression filter with h5py\n' : ''}
STRATEGY_ID = ${py(spec.strategyId)}
LAYOUT = ${py(spec.layout)}
# The \`strategy\` attribute, exactly as the app writes it.
STRATEGY_ATTR = ${py(strategyAttr)}
DEFAULT_OUTPUT = ${py(inputs.outputName)}
CREATED_BY = ${py(`${APP_NAME} ${APP_VERSION} recipe (h5py)`)}
RESTORE_PYTHON = ${py(restore)}
${quantized ? `EPS = ${pyFloat(Number(params.eps))}  # the error bound the user asked for\n` : ''}# Input bytes read per slab (about 3x this in memory); H5SQUEEZE_SLAB_BYTES overrides it.
SLAB_BYTES = int(os.environ.get("H5SQUEEZE_SLAB_BYTES", 64 << 20))
CHUNK_TARGET_BYTES = ${chunkTarget}


def refuse(reason):
    sys.exit("h5squeeze recipe: cannot apply " + STRATEGY_ID + " here: " + reason)


def js_round(t):
    """JavaScript's Math.round (halves go up), which the app uses; np.round would round halves to even."""
    f = np.floor(t)
    return f + (t - f >= 0.5)


def read_rows(a, r0, r1):
    """Rows [r0, r1) of the input as a C-ordered little-endian array (the app normalises byte order)."""
    return np.ascontiguousarray(a[r0:r1], dtype=a.dtype.newbyteorder("<"))


def numbers(x):
    """The values as the app sees them: float16 and 64-bit integers widened to float64, others as is."""
    widen = (x.dtype.kind == "f" and x.itemsize == 2) or (x.dtype.kind in "iu" and x.itemsize == 8)
    return x.astype(np.float64) if widen else x


def slabs(a, align=1):
    """(r0, r1) ranges of leading-axis rows, about SLAB_BYTES of input each and a multiple of \`align\`
    rows (whole chunks, so each chunk is compressed once)."""
    if a.ndim == 0 or (a.ndim == 2 and LAYOUT != "full"):
        yield 0, (1 if a.ndim == 0 else a.shape[0])  # a scalar, or one matrix packed whole
        return
    row_bytes = max(1, a[0:1].nbytes) if a.shape[0] else 1
    step = max(1, SLAB_BYTES // row_bytes)
    step = max(align, step // align * align)
    for r0 in range(0, a.shape[0], step):
        yield r0, min(a.shape[0], r0 + step)


def whole_or_rows(a, r0, r1):
    return np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")) if a.ndim == 0 else read_rows(a, r0, r1)
${needsFacts ? FACTS_PY : ''}${triangle ? TRIANGLE_PY : FULL_PY}${ENCODE_PY[plan.encoding]}${quantized ? QUANTIZE_PY : ''}${plan.container === 'hdf5' ? hdf5WritePy(plan) : NPY_WRITE_PY}${ERROR_PY}
def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 2
    src = argv[1]
    out = argv[2] if len(argv) > 2 else DEFAULT_OUTPUT
    a = np.load(src, mmap_mode="r")
    if a.dtype.kind not in "biuf" or a.dtype.itemsize not in (1, 2, 4, 8) or a.dtype.kind == "f" and a.dtype.itemsize == 1:
        refuse("dtype %s is not a plain number type" % a.dtype)
${needsFacts ? '    facts = scan(a)\n' : '    facts = None\n'}${plan.checks.map((c) => indent(c, 4)).join('\n')}${plan.checks.length ? '\n' : ''}    write(a, out, facts)
    err = verify(a, out)
    record_error(out, err)
    print(json.dumps({"output": out, "bytes": os.path.getsize(out), "max_abs_error": err}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
`;
}

function indent(code: string, n: number): string {
  const pad = ' '.repeat(n);
  return code
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

const ENCODING_LABEL: Record<Encoding, string> = {
  raw: 'the original dtype (booleans as uint8 in HDF5), lossless',
  float32: 'cast to float32 (round to nearest)',
  float64: 'float64',
  float16: 'cast to float16 (numpy astype, round to nearest even)',
  quantized:
    'integers q = round((x - add_offset) / scale_factor), CF scale_factor/add_offset, every value within eps (the global min/max of the input set the plan)',
};

// Facts the app computes on load (core/analysis.ts) and the job runner derives (workers/job.ts).
const FACTS_PY = `

def asymmetry(v):
    """max|A - A.T| over the matrices of v (float64), NaN-aware like the app: NaN facing NaN is equal,
    NaN facing a number is infinitely asymmetric."""
    t = np.swapaxes(v, -1, -2)
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.where(v != t, np.abs(v - t), 0.0)
    nv, nt = np.isnan(v), np.isnan(t)
    d[nv & nt] = 0.0
    d[nv ^ nt] = math.inf
    return float(d.max()) if d.size else 0.0


def ulp(x, mantissa_bits, lowest_exponent):
    if not (x > 0) or not math.isfinite(x):
        return 2.0 ** lowest_exponent if x == 0 else math.inf
    return 2.0 ** max(math.floor(math.log2(x)) - mantissa_bits, lowest_exponent)


def scan(a):
    """First pass: finite min/max, NaN/Inf counts, max|A - A.T| and the error the triangle layout costs."""
    lo, hi, nan, inf, asym = math.inf, -math.inf, 0, 0, 0.0
    for r0, r1 in slabs(a):
        v = whole_or_rows(a, r0, r1).astype(np.float64)
        finite = np.isfinite(v)
        n_nan = int(np.isnan(v).sum())
        nan += n_nan
        inf += int(v.size - finite.sum()) - n_nan
        if finite.any():
            lo = min(lo, float(v[finite].min()))
            hi = max(hi, float(v[finite].max()))
        if LAYOUT != "full":
            asym = max(asym, asymmetry(v))
    if lo > hi:
        lo = hi = math.nan
    layout_error = 0.0
    if LAYOUT != "full" and asym != 0:
        # Storing (A + A.T)/2 moves each value by |a - b|/2, plus one rounding in the stored dtype.
        m = max(abs(lo), abs(hi))
        kind = a.dtype.kind + str(a.dtype.itemsize)
        u = {"f2": ulp(m, 10, -24), "f4": ulp(m, 23, -149), "f8": ulp(m, 52, -1074)}.get(kind, 0.5)
        layout_error = asym / 2 + u
    if not math.isfinite(layout_error):
        refuse("NaN or ±Inf are not mirrored across the diagonal, so the triangle layout would change them")
    return {"min": lo, "max": hi, "nan": nan, "inf": inf, "max_asymmetry": asym, "layout_error": layout_error}
`;

const FULL_PY = `

def stored_shape(shape):
    return tuple(shape)


def layout(x):
    """Layout \`full\`: (values as numbers, values in the loaded dtype)."""
    return numbers(x), x


def unlayout(stored, shape):
    return stored
`;

const TRIANGLE_PY = `

def stored_shape(shape):
    if len(shape) < 2 or shape[-1] != shape[-2]:
        refuse("triangle packing needs square matrices; the shape is %s" % (tuple(shape),))
    m = shape[-1]
    return tuple(shape[:-2]) + (m * (m + 1) // 2,)


def layout(x):
    """Layout upper-triangle-rowmajor: (A + A.T)/2 on and above the diagonal, np.triu_indices order.
    Returns (values as numbers, values in the loaded dtype), like the app's packUpper + rawFromNumbers."""
    m = x.shape[-1]
    iu = np.triu_indices(m)
    v = x.astype(np.float64)
    up, lo = v[..., iu[0], iu[1]], v[..., iu[1], iu[0]]
    with np.errstate(over="ignore", invalid="ignore"):
        mean = (up + lo) * 0.5
    overflow = np.isinf(mean) & np.isfinite(up) & np.isfinite(lo)  # a + b overflowed: a/2 + b/2
    mean[overflow] = up[overflow] * 0.5 + lo[overflow] * 0.5
    values = mean.astype(np.float32) if x.dtype == np.float32 else mean
    if x.dtype.kind == "f":
        raw = values.astype(x.dtype)
    elif x.dtype.itemsize == 8:  # 64-bit integers: rounded (Math.round)
        raw = js_round(values).astype(x.dtype)
    else:  # smaller integers and booleans: truncated, as a JS typed-array store does
        raw = np.trunc(values).astype(np.uint8 if x.dtype.kind == "b" else x.dtype)
        if x.dtype.kind == "b":
            raw = raw.view(np.bool_)
    return values, raw


def unlayout(stored, shape):
    """Mirror each packed triangle back into full symmetric matrices."""
    m = shape[-1]
    iu = np.triu_indices(m)
    full = np.empty(stored.shape[:-1] + (m, m), dtype=stored.dtype)
    full[..., iu[0], iu[1]] = stored
    full[..., iu[1], iu[0]] = stored
    return full
`;

const ENCODE_PY: Record<Encoding, string> = {
  raw: `

def encode(values, raw, facts):
    return raw.view(np.uint8) if raw.dtype.kind == "b" and STORES_HDF5 else raw


def stored_dtype(a):
    d = a.dtype.newbyteorder("<")
    return np.dtype(np.uint8) if d.kind == "b" and STORES_HDF5 else d


def decode(stored, attrs):
    return stored
`,
  float32: `

def encode(values, raw, facts):
    return values.astype(np.float32)


def stored_dtype(a):
    return np.dtype("<f4")


def decode(stored, attrs):
    return stored
`,
  float64: `

def encode(values, raw, facts):
    return values.astype(np.float64)


def stored_dtype(a):
    return np.dtype("<f8")


def decode(stored, attrs):
    return stored
`,
  float16: `

def encode(values, raw, facts):
    return raw if raw.dtype == np.float16 else values.astype(np.float16)


def stored_dtype(a):
    return np.dtype("<f2")


def decode(stored, attrs):
    return stored.astype(np.float64)
`,
  quantized: `

def encode(values, raw, facts):
    return quantize(values.astype(np.float64), quantization_plan(facts))


def stored_dtype(a):
    return None  # set by the quantization plan


def decode(stored, attrs):
    # The CF convention: value = stored * scale_factor + add_offset (what xarray applies).
    return stored.astype(np.float64) * float(attrs["scale_factor"]) + float(attrs["add_offset"])
`,
};

// core/quantize.ts, line for line: the same doubles in, the same plan and codes out.
const QUANTIZE_PY = `

U = 2.0 ** -53
MARGIN = 2.0 ** -20
# Codes each integer type may use (netCDF's default fill values are left out).
CODE_RANGE = [
    ("i1", -126, 127), ("u1", 0, 254), ("i2", -32766, 32767),
    ("u2", 0, 65534), ("i4", -2147483646, 2147483647), ("u4", 0, 4294967294),
]


def quantization_plan(facts):
    """scale_factor just under 2 eps and the smallest integer type that holds [min, max]; the eps the
    encoding may use is the user's eps minus what the layout already cost."""
    if "plan" in facts:
        return facts["plan"]
    lo_x, hi_x, eps = facts["min"], facts["max"], EPS - facts["layout_error"]
    for name, lo, hi in CODE_RANGE:
        signed = lo < 0
        centre = lo_x / 2 + hi_x / 2 if signed else lo_x
        h0 = max(abs(hi_x - centre), abs(centre - lo_x))
        b = max(abs(lo_x), abs(hi_x))
        # Half the step, summed term by term (h0 + b may overflow near 1.8e308), then capped: a step
        # beyond the range's half-width buys nothing, and decoded values must stay below float64's max.
        # The 32 U eps term pays for snapping the offset onto the grid below.
        half = eps * (1 - MARGIN) - 8 * U * h0 - 32 * U * eps - 8 * U * b
        room = (sys.float_info.max - b) * (1 - 2.0 ** -40)
        half = min(half, max(h0, 5e-324), room / 2)
        if not (half > 0):
            continue
        scale = 2 * half
        # add_offset = k * scale_factor, so the code -k decodes to exactly 0.0 (exact zeros stay zeros);
        # unsigned plans keep the offset at or below min. Far from 0 (|k| >= 2^52) it stays put.
        offset = centre
        k0 = centre / scale
        if abs(k0) < 2.0 ** 52:
            k = float(js_round(k0)) if signed else math.floor(k0)
            if not signed:
                while k * scale > lo_x:
                    k -= 1
            offset = k * scale + 0.0
        q_min = float(js_round((lo_x - offset) / scale)) - 1
        q_max = float(js_round((hi_x - offset) / scale)) + 1
        if (q_min if signed else 0) < lo or q_max > hi:
            continue
        facts["plan"] = {"scale_factor": scale, "add_offset": offset, "dtype": np.dtype("<" + name), "eps": eps, "range": (lo, hi)}
        return facts["plan"]
    refuse("eps = %r is too small to quantize the range [%r, %r] into 32-bit integers" % (EPS, lo_x, hi_x))


def quantize(x, plan):
    """Codes round((x - add_offset) / scale_factor), each checked to decode within eps; where the rounded
    quotient misses, the best neighbour that meets eps is taken (as the app does)."""
    s, o, eps = plan["scale_factor"], plan["add_offset"], plan["eps"]
    lo, hi = plan["range"]
    if not np.isfinite(x).all():
        refuse("integers cannot represent NaN or ±Inf")
    q = js_round((x - o) / s)
    bad = ~(np.abs(q * s + o - x) <= eps) | (q < lo) | (q > hi)
    for i in np.flatnonzero(bad):
        xi, qi = x.flat[i], q.flat[i]
        best, best_err = None, math.inf
        for c in (qi, qi - 1, qi + 1):
            e = abs(c * s + o - xi)
            if lo <= c <= hi and e < best_err:
                best, best_err = c, e
        if not best_err <= eps:
            refuse("value %r is outside the range the quantization plan covers" % xi)
        q.flat[i] = best
    return q.astype(plan["dtype"])
`;

function hdf5WritePy(plan: RecipePlan): string {
  const chunked = plan.filter !== null;
  return `
STORES_HDF5 = True
FILTER = ${plan.filter ?? 'None'}


def row_chunks(shape, item_bytes):
    """Chunks of whole leading-axis rows, about CHUNK_TARGET_BYTES each (strategies/common.ts rowChunks)."""
    if len(shape) == 0 or 0 in shape:
        return None
    if len(shape) == 1:
        return (max(1, min(shape[0], CHUNK_TARGET_BYTES // item_bytes)),)
    row_bytes = int(np.prod(shape[1:])) * item_bytes
    if row_bytes > 2 ** 31:  # HDF5 caps a chunk at 4 GiB: split the second axis
        inner = int(np.prod(shape[2:])) * item_bytes
        return (1, max(1, min(shape[1], CHUNK_TARGET_BYTES // inner))) + tuple(shape[2:])
    return (max(1, min(shape[0], CHUNK_TARGET_BYTES // row_bytes)),) + tuple(shape[1:])


def write(a, out, facts):
    if a.ndim == 0 or a.size == 0:
        refuse("HDF5 datasets here need at least one axis and at least one value")
    shape = stored_shape(a.shape)
    dtype = stored_dtype(a)
    attrs = {"layout": LAYOUT}
    if LAYOUT != "full":
        attrs["matrix_size"] = np.int64(a.shape[-1])
    attrs["original_shape"] = np.array(a.shape, dtype="<i8")
    attrs["original_dtype"] = a.dtype.newbyteorder("<").str
${
  plan.encoding === 'quantized'
    ? `    q = quantization_plan(facts)
    dtype = q["dtype"]
    attrs["scale_factor"] = np.float64(q["scale_factor"])
    attrs["add_offset"] = np.float64(q["add_offset"])
`
    : ''
}    attrs["max_abs_error"] = np.float64(math.nan)  # measured below, after reading the file back
    attrs["strategy"] = STRATEGY_ATTR
    attrs["created_by"] = CREATED_BY
    ${chunked ? 'chunks = row_chunks(shape, dtype.itemsize)' : 'chunks = None  # contiguous'}
    # The file format versions h5wasm writes (superblock 2, compact groups), for comparable sizes.
    with h5py.File(out, "w", libver=("v108", "v110")) as f:
        d = f.create_dataset("data", shape=shape, dtype=dtype, chunks=chunks${chunked ? ', **FILTER' : ''})
        for r0, r1 in slabs(a, chunks[0] if chunks else 1):
            values, raw = layout(read_rows(a, r0, r1))
            if a.ndim == 2 and LAYOUT != "full":
                d[...] = encode(values, raw, facts)
            else:
                d[r0:r1] = encode(values, raw, facts)
        for name, value in attrs.items():
            d.attrs[name] = value
        f.attrs["restore_python"] = RESTORE_PYTHON.replace(
            json.dumps(DEFAULT_OUTPUT, ensure_ascii=False), json.dumps(os.path.basename(out), ensure_ascii=False)
        )


def read_stored(out):
    f = h5py.File(out, "r")
    return f, f["data"], f["data"].attrs


def record_error(out, err):
    with h5py.File(out, "r+") as f:
        f["data"].attrs.modify("max_abs_error", np.float64(err))
`;
}

const NPY_WRITE_PY = `
STORES_HDF5 = False


def write(a, out, facts):
    shape = stored_shape(a.shape)
    if a.ndim == 0 or a.size == 0:
        values, raw = layout(np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")))
        np.save(out, encode(values, raw, facts))
        return
    # open_memmap writes the same header as np.save, then the rows are filled slab by slab.
    b = np.lib.format.open_memmap(out, mode="w+", dtype=stored_dtype(a), shape=shape)
    for r0, r1 in slabs(a):
        values, raw = layout(read_rows(a, r0, r1))
        if a.ndim == 2 and LAYOUT != "full":
            b[...] = encode(values, raw, facts)
        else:
            b[r0:r1] = encode(values, raw, facts)
    b.flush()
    del b


def read_stored(out):
    return None, np.load(out, mmap_mode="r"), {}


def record_error(out, err):
    pass  # a .npy has no attributes: the error is printed only
`;

// core/metrics.ts: NaN facing NaN and the same infinity are equal; any other NaN/Inf mismatch is an
// infinite error.
const ERROR_PY = `

def max_abs_error(orig, dec):
    o = np.asarray(orig, dtype=np.float64)
    r = np.asarray(dec, dtype=np.float64)
    if o.size == 0:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(r - o)
    diff[o == r] = 0.0
    no, nr = np.isnan(o), np.isnan(r)
    diff[no & nr] = 0.0
    diff[no ^ nr] = math.inf
    return float(diff.max())


def verify(a, out):
    """Reads the written file back slab by slab, decodes it and compares with the input."""
    f, d, attrs = read_stored(out)
    try:
        worst = 0.0
        for r0, r1 in slabs(a):
            orig = whole_or_rows(a, r0, r1)
            whole = a.ndim == 0 or (a.ndim == 2 and LAYOUT != "full")
            stored = d[...] if whole else d[r0:r1]
            dec = unlayout(decode(stored, attrs), a.shape)
            worst = max(worst, max_abs_error(numbers(orig), dec))
        return worst
    finally:
        if f is not None:
            f.close()

`;
