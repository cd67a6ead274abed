// "Export as Python script": a self-contained numpy + h5py program that applies one strategy to the
// user's full .npy on their own machine, exactly as the app does it (same layout, value encoding,
// quantization plan, chunk shape, filter and file-contract attributes), slab by slab so arrays larger
// than memory work, then reads its own output back and records the measured max_abs_error.
// The Python lives in real source files under ./recipe/ (imported as text with Vite's `?raw`); this
// file only picks the pieces a strategy × layout needs and writes the small parameter block.
// Hard constraint: every numeric step in those files mirrors a TS function — the layouts' pack
// (layouts/, core/triangle.ts), the used pairs (core/analysis.ts), planQuantization/quantize
// (core/quantize.ts), effectiveEps (strategies/quantized-values.ts), rowChunks (strategies/common.ts),
// the job runner's layout error, cast back to the loaded dtype and metrics (workers/job.ts,
// core/metrics.ts). Change them together.
import { APP_NAME, APP_VERSION } from '../core/app-info';
import type { Params, StrategyId, StrategySpec } from './types';
import type { LayoutId } from '../layouts/types';
import { layoutOf } from '../layouts/registry';
import { strategyOf } from './registry';
import { restorePythonSnippet } from './restore-python';
import { CHUNK_TARGET_BYTES } from './common';
import { quantizedChunkTarget } from './hdf5-quantized';
import { canonicalParams } from './sweep';
import type { CodecParams } from './hdf5-codec';
import { pluginCodecOf } from '../core/filters';
import { CoreError } from '../core/errors';
import commonPy from './recipe/common.py?raw';
import factsPy from './recipe/facts.py?raw';
import noFactsPy from './recipe/no_facts.py?raw';
import checksPy from './recipe/checks.py?raw';
import symmetricPy from './recipe/symmetric.py?raw';
import layoutFullPy from './recipe/layout_full.py?raw';
import layoutTrianglePy from './recipe/layout_triangle.py?raw';
import layoutUsedPairsPy from './recipe/layout_used_pairs.py?raw';
import encodeRawPy from './recipe/encode_raw.py?raw';
import encodeFloatPy from './recipe/encode_float.py?raw';
import encodeFloat16Py from './recipe/encode_float16.py?raw';
import encodeQuantizedPy from './recipe/encode_quantized.py?raw';
import quantizePy from './recipe/quantize.py?raw';
import writeHdf5Py from './recipe/write_hdf5.py?raw';
import writeNpyPy from './recipe/write_npy.py?raw';
import verifyPy from './recipe/verify.py?raw';
import mainPy from './recipe/main.py?raw';

export interface RecipeInputs {
  /** The loaded file's name (shown in the header). */
  inputName: string;
  /** The output file name the app used (the script's default output). */
  outputName: string;
  /** What the app measured, quoted in the header so the user can compare. */
  measured?: { bytes: number; maxAbsError: number };
}

/** How the stored values are made from the layout's values (one recipe/encode_*.py each). */
type Encoding = 'raw' | 'float32' | 'float64' | 'float16' | 'quantized';

/** The app's refusals for a strategy, as checks.py's parameters. */
interface Checks {
  nanRefusal?: string;
  scaleoffset?: { decimals: number; limit: string };
}

interface RecipePlan {
  container: 'npy' | 'hdf5';
  encoding: Encoding;
  /** Python keyword arguments for create_dataset's filter, or null for a contiguous dataset. */
  filter: string | null;
  /** h5py's shuffle=True before the filter (left out for 1-byte values, as the app does). */
  shuffle: boolean;
  /** Human-readable filter summary for the header. */
  filterLabel: string;
  hdf5plugin: boolean;
  checks: Checks;
}

export class RecipeUnsupportedError extends CoreError {
  declare readonly code: 'RECIPE_UNSUPPORTED';
  constructor(message: string) {
    super('RECIPE_UNSUPPORTED', message);
    this.name = 'RecipeUnsupportedError';
  }
}

/** The Python source files of a recipe, by file name (the unit test compiles each one). */
export const RECIPE_PY_FILES: Readonly<Record<string, string>> = {
  'common.py': commonPy,
  'facts.py': factsPy,
  'no_facts.py': noFactsPy,
  'checks.py': checksPy,
  'symmetric.py': symmetricPy,
  'layout_full.py': layoutFullPy,
  'layout_triangle.py': layoutTrianglePy,
  'layout_used_pairs.py': layoutUsedPairsPy,
  'encode_raw.py': encodeRawPy,
  'encode_float.py': encodeFloatPy,
  'encode_float16.py': encodeFloat16Py,
  'encode_quantized.py': encodeQuantizedPy,
  'quantize.py': quantizePy,
  'write_hdf5.py': writeHdf5Py,
  'write_npy.py': writeNpyPy,
  'verify.py': verifyPy,
  'main.py': mainPy,
};

const ENCODE_PY: Record<Encoding, string> = {
  raw: encodeRawPy,
  float32: encodeFloatPy,
  float64: encodeFloatPy,
  float16: encodeFloat16Py,
  quantized: encodeQuantizedPy,
};

/** Each layout's module, after the modules it builds on. */
const LAYOUT_PY: Record<LayoutId, string[]> = {
  full: [layoutFullPy],
  'upper-triangle-rowmajor': [symmetricPy, layoutTrianglePy],
  'used-pairs': [symmetricPy, layoutUsedPairsPy],
  'used-pairs-pair-major': [symmetricPy, layoutUsedPairsPy],
};

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

const QUANTIZED_NAN = 'integers cannot represent NaN or ±Inf, so quantization is off for this array';

function intParam(p: Params, key: string): number {
  const v = Number(p[key]);
  if (!Number.isInteger(v))
    throw new RecipeUnsupportedError(`parameter ${key} = ${String(p[key])} is not an integer`);
  return v;
}

/** hdf5plugin's filter class for a codec, from the filter registry (core/filters.ts): it writes the
 * same cd_values as hdf5-codec.ts codecFilter. */
function codecFilterPython(p: CodecParams): { expr: string; label: string } {
  const def = pluginCodecOf(p.codec);
  if (!def)
    throw new RecipeUnsupportedError(
      `codec ${String((p as { codec: unknown }).codec)} is not supported by recipe yet`,
    );
  if (def.bloscShuffle && !['none', 'byte', 'bit'].includes(p.shuffle))
    throw new RecipeUnsupportedError(`blosc shuffle ${p.shuffle} is not supported by recipe yet`);
  return { expr: def.python(p), label: def.describe(p) };
}

function quantizedCodec(
  codec: string,
  level: number,
): Pick<RecipePlan, 'filter' | 'shuffle' | 'filterLabel'> {
  switch (codec) {
    case 'scaleoffset':
      // scaleoffset=0 on integers = H5Z_SO_INT with minbits 0: lossless bit-packing per chunk.
      return {
        filter: 'dict(scaleoffset=0)',
        shuffle: false,
        filterLabel: 'scaleoffset integer bit-packing',
      };
    case 'gzip':
      return {
        filter: `dict(compression="gzip", compression_opts=${level})`,
        shuffle: false,
        filterLabel: `gzip level ${level} on integers`,
      };
    case 'shuffle-gzip':
      return {
        filter: `dict(compression="gzip", compression_opts=${level})`,
        shuffle: true,
        filterLabel: `byte shuffle + gzip level ${level} on integers (no shuffle for 1-byte integers)`,
      };
    default:
      throw new RecipeUnsupportedError(`quantized codec ${codec} is not supported by recipe yet`);
  }
}

function planFor(id: StrategyId, p: Params): RecipePlan {
  const base = { hdf5plugin: false, shuffle: false, checks: {} as Checks };
  const contiguous = { container: 'hdf5' as const, filter: null, filterLabel: 'none (contiguous)' };
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
      return { ...base, ...contiguous, encoding: 'raw' };
    case 'hdf5-float32':
      return { ...base, ...contiguous, encoding: 'float32' };
    case 'hdf5-float16':
      return { ...base, ...contiguous, encoding: 'float16' };
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
        checks: {
          nanRefusal: 'the scaleoffset filter cannot store NaN or ±Inf (they would be silently replaced)',
          scaleoffset: { decimals: d, limit: f32 ? '2**32 - 1' : '2**53' },
        },
      };
    }
    case 'hdf5-quantized':
      return {
        ...base,
        container: 'hdf5',
        encoding: 'quantized',
        ...quantizedCodec(String(p.codec), intParam(p, 'level')),
        checks: { nanRefusal: QUANTIZED_NAN },
      };
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
      const checks: Checks = encoding === 'quantized' ? { nanRefusal: QUANTIZED_NAN } : {};
      if (c.codec === 'zfp-rate') checks.nanRefusal = 'zfp cannot store NaN or ±Inf';
      return {
        ...base,
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

const LAYOUT_LABEL: Record<LayoutId, string> = {
  full: 'full: the array as loaded',
  'upper-triangle-rowmajor':
    'upper-triangle-rowmajor: each M x M matrix is stored as the M(M+1)/2 values of (A + A.T)/2 on and above the diagonal, in np.triu_indices(M) order',
  'used-pairs':
    'used-pairs (sample-major): only the K upper-triangle pairs (row <= col) that are non-zero in some matrix, as (A + A.T)/2; /data is matrices x K (pairs_axis = last axis), /pairs (K x 2 int32) lists row and column',
  'used-pairs-pair-major':
    'used-pairs, pair-major: only the K upper-triangle pairs (row <= col) that are non-zero in some matrix, as (A + A.T)/2; /data is K x matrices (pairs_axis = 0), /pairs (K x 2 int32) lists row and column. An input larger than one slab goes through a temporary .npy next to the output (as big as /data uncompressed), so each chunk is compressed once',
};

const ENCODING_LABEL: Record<Encoding, string> = {
  raw: 'the original dtype (booleans as uint8 in HDF5), lossless',
  float32: 'cast to float32 (round to nearest)',
  float64: 'float64',
  float16: 'cast to float16 (numpy astype, round to nearest even)',
  quantized:
    'integers q = round((x - add_offset) / scale_factor), CF scale_factor/add_offset, every value within eps after the cast back to the input dtype (the input min/max set the step and type, a sample of its values where the grid starts; 0 is on the grid)',
};

/** Width of the script's docstring lines. */
const DOC_WIDTH = 100;

/** `text` in lines of at most `width` characters (longer words stay whole), the first after `first`. */
function wrap(text: string, width: number, first = '', rest = ''): string {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter((w) => w)) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest;
      empty = true;
    }
    line += (empty ? '' : ' ') + word;
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}

/** The parameter block: every name the recipe/*.py files take from the strategy and the app. */
function parameterBlock(spec: StrategySpec, params: Params, plan: RecipePlan, inputs: RecipeInputs): string {
  const strategyAttr = JSON.stringify({
    id: spec.strategyId,
    layout: spec.layout,
    params: canonicalParams({ ...spec, params }),
  });
  const restore = restorePythonSnippet(inputs.outputName, {
    hdf5plugin: plan.hdf5plugin,
    layout: spec.layout,
  });
  const chunkTarget =
    spec.strategyId === 'hdf5-quantized' ? quantizedChunkTarget(String(params.codec)) : CHUNK_TARGET_BYTES;
  const { nanRefusal, scaleoffset } = plan.checks;
  const lines = [
    `STRATEGY_ID = ${py(spec.strategyId)}`,
    `LAYOUT = ${py(spec.layout)}`,
    '# The `strategy` attribute, exactly as the app writes it.',
    `STRATEGY_ATTR = ${py(strategyAttr)}`,
    `DEFAULT_OUTPUT = ${py(inputs.outputName)}`,
    `CREATED_BY = ${py(`${APP_NAME} ${APP_VERSION} recipe (h5py)`)}`,
    `RESTORE_PYTHON = ${py(restore)}`,
    `# The error bound the user asked for (quantized values), or None.`,
    `EPS = ${plan.encoding === 'quantized' ? pyFloat(Number(params.eps)) : 'None'}`,
    "# The app's refusals (checks.py); None = not checked.",
    `NAN_REFUSAL = ${nanRefusal ? py(nanRefusal) : 'None'}`,
    `SCALEOFFSET_DECIMALS = ${scaleoffset ? scaleoffset.decimals : 'None'}`,
    `SCALEOFFSET_LIMIT = ${scaleoffset ? scaleoffset.limit : 'None'}`,
    '# The float type encode_float.py casts to (float32 / float64 encodings), or None.',
    `FLOAT_DTYPE = ${plan.encoding === 'float32' ? py('<f4') : plan.encoding === 'float64' ? py('<f8') : 'None'}`,
  ];
  if (plan.container === 'hdf5')
    lines.push(
      `CHUNK_TARGET_BYTES = ${chunkTarget}`,
      '# create_dataset keywords of the filter (None = contiguous, unfiltered).',
      `FILTER = ${plan.filter ?? 'None'}`,
      '# Byte shuffle before gzip (not for 1-byte codes), with chunk heights that leave the fewest rows',
      '# in a partial last chunk, as the app picks them.',
      `SHUFFLE = ${plan.shuffle ? 'True' : 'False'}`,
    );
  return lines.join('\n');
}

/**
 * A runnable Python script (numpy + h5py, plus hdf5plugin for plugin codecs) that applies `spec` to a
 * full .npy. Throws RecipeUnsupportedError for a strategy the recipe does not know.
 */
export function recipeScript(spec: StrategySpec, inputs: RecipeInputs): string {
  const def = strategyOf(spec.strategyId) as ReturnType<typeof strategyOf> | undefined;
  if (!def)
    throw new RecipeUnsupportedError(`strategy ${String(spec.strategyId)} is not supported by recipe yet`);
  const layoutModules = LAYOUT_PY[spec.layout] as string[] | undefined;
  if (!layoutModules)
    throw new RecipeUnsupportedError(`layout ${String(spec.layout)} is not supported by recipe yet`);
  const params = { ...def.defaults, ...spec.params };
  const plan = planFor(spec.strategyId, params);
  if (plan.container === 'npy' && !layoutOf(spec.layout).fitsNpy)
    throw new RecipeUnsupportedError(
      `a .npy file cannot carry what the ${layoutOf(spec.layout).short} layout needs to be undone`,
    );
  const quantized = plan.encoding === 'quantized';
  const packed = spec.layout !== 'full';
  const pairs = spec.layout.startsWith('used-pairs');
  const hasChecks = plan.checks.nanRefusal !== undefined || plan.checks.scaleoffset !== undefined;
  const needsFacts = packed || hasChecks || quantized;
  const describe = def.describeParams(params);
  const measured = inputs.measured
    ? `# In the app, on ${inputs.inputName}: ${inputs.measured.bytes} bytes, max abs error ${inputs.measured.maxAbsError}.\n`
    : '';
  const chunkTarget =
    spec.strategyId === 'hdf5-quantized' ? quantizedChunkTarget(String(params.codec)) : CHUNK_TARGET_BYTES;
  const fields: [string, string][] = [
    ['Strategy', `${def.label}${describe ? ` (${describe})` : ''}.`],
    ['Layout', `${LAYOUT_LABEL[spec.layout]}.`],
    ['Values', `${ENCODING_LABEL[plan.encoding]}.`],
    ['Filter', `${plan.filterLabel}.`],
  ];
  if (plan.container === 'hdf5')
    fields.push([
      'Chunks',
      `whole ${spec.layout === 'used-pairs-pair-major' ? 'pair rows (every matrix)' : 'leading-axis rows'}, about ${chunkTarget >> 10} KiB each${plan.shuffle ? ', the height leaving the fewest rows in a partial last chunk' : ''} (contiguous when there is no filter).`,
    ]);
  const factsNote = needsFacts
    ? ` A first pass measures min, max, NaN/Inf counts${packed ? ' and max|A - A.T|' : ''}${pairs ? ' and finds the used pairs' : ''} (the app's facts).`
    : '';
  const needs = `Needs numpy${plan.container === 'hdf5' ? ' and h5py' : ''}${plan.hdf5plugin ? ' and hdf5plugin (pip install hdf5plugin; Bitshuffle(cname=...) needs hdf5plugin >= 4.0)' : ''}.`;

  const header = `#!/usr/bin/env python3
# ${APP_NAME} ${APP_VERSION} recipe: ${def.label}${describe ? ` · ${describe}` : ''} · layout ${spec.layout}
# Made from ${inputs.inputName}; the app's file was ${inputs.outputName}.
${measured}"""Apply one h5squeeze storage strategy to a full .npy on your own machine.

usage:  python3 ${recipeFileName(inputs.outputName)} INPUT.npy [OUTPUT]
        (OUTPUT defaults to ${inputs.outputName})

${fields.map(([k, v]) => wrap(v, DOC_WIDTH, `${`${k}:`.padEnd(10)}`, ' '.repeat(10))).join('\n')}

${wrap(
  `The input is read with np.load(mmap_mode="r") in slabs of leading-axis rows, so arrays larger than memory work.${factsNote} After writing, the script reads its own file back, measures the max abs error against the input and stores it in the max_abs_error attribute. ${needs}`,
  DOC_WIDTH,
)}
"""`;
  const imports = [
    ...(pairs ? ['import contextlib'] : []),
    'import json',
    'import math',
    'import os',
    'import sys',
    ...(pairs ? ['import tempfile'] : []),
    '',
    'import numpy as np',
    ...(plan.container === 'hdf5' ? ['import h5py'] : []),
    ...(plan.hdf5plugin ? ['import hdf5plugin  # registers the compression filter with h5py'] : []),
  ].join('\n');
  const modules = [
    commonPy,
    needsFacts ? factsPy : noFactsPy,
    checksPy,
    ...layoutModules,
    ENCODE_PY[plan.encoding],
    ...(quantized ? [quantizePy] : []),
    plan.container === 'hdf5' ? writeHdf5Py : writeNpyPy,
    verifyPy,
    mainPy,
  ];
  return [header, imports, parameterBlock(spec, params, plan, inputs), ...modules]
    .map((part) => part.trim())
    .join('\n\n\n')
    .concat('\n');
}
