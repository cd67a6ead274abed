// "Export for Dask": a Python script that applies one Zarr row's plan (layout, quantization grid as
// numcodecs' FixedScaleOffset, codec, chunking) to one or more .npy files on a dask.distributed
// cluster, block by block, and writes the same Zarr v2 store the app wrote (to_zarr; zipped when the
// output ends in .zip). A LocalCluster by default; `--scheduler tcp://host:8786` runs the same script on
// a running cluster. The numeric steps reuse the h5py recipe's modules (facts.py: the analysis and value
// sample, quantize.py: planQuantization, symmetric.py: the packed layouts, verify.py: the measured
// error) and add dask_*.py: the lazy input and the first pass, the plan's per-block work, the entry point.
// Hard constraint: those mirror the TS (zarr/fixed-scale-offset.ts, strategies/zarr-codec.ts,
// strategies/common.ts rowChunks, workers/job.ts); change them together.
import { APP_NAME, APP_VERSION } from '../core/app-info';
import type { Params, StrategySpec } from './types';
import type { LayoutId } from '../layouts/types';
import { strategyOf } from './registry';
import { canonicalParams } from './sweep';
import { RecipeUnsupportedError } from './recipe';
import type { RecipeInputs } from './recipe';
import { restorePythonZarrSnippet } from '../zarr/restore-python';
import { zarrCompressor } from './zarr-codec';
import type { ZarrParams } from './zarr-codec';
import commonPy from './recipe/common.py?raw';
import factsPy from './recipe/facts.py?raw';
import symmetricPy from './recipe/symmetric.py?raw';
import quantizePy from './recipe/quantize.py?raw';
import verifyPy from './recipe/verify.py?raw';
import daskFactsPy from './recipe/dask_facts.py?raw';
import daskPlanPy from './recipe/dask_plan.py?raw';
import daskMainPy from './recipe/dask_main.py?raw';

/** The Python files of the Dask recipe (the unit test compiles each one). */
export const DASK_RECIPE_PY_FILES: Readonly<Record<string, string>> = {
  'dask_facts.py': daskFactsPy,
  'dask_plan.py': daskPlanPy,
  'dask_main.py': daskMainPy,
};

const ENCODING: Record<ZarrParams['values'], string> = {
  native: 'raw',
  float32: 'float32',
  float16: 'float16',
  quantized: 'quantized',
};

const LAYOUTS: readonly LayoutId[] = [
  'full',
  'upper-triangle-rowmajor',
  'used-pairs',
  'used-pairs-pair-major',
];

function py(s: string): string {
  return JSON.stringify(s);
}

function pyFloat(x: number): string {
  const s = String(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** numcodecs' constructor for the compressor the app wrote. */
function compressorPython(p: ZarrParams): string {
  const c = zarrCompressor(p);
  switch (c.id) {
    case 'blosc':
      return `numcodecs.Blosc(cname=${py(c.cname)}, clevel=${c.clevel}, shuffle=${c.shuffle}, blocksize=0)`;
    case 'zstd':
      return `numcodecs.Zstd(level=${c.level})`;
    case 'gzip':
      return `numcodecs.GZip(level=${c.level})`;
    case 'zlib':
      return `numcodecs.Zlib(level=${c.level})`;
  }
}

/** The recipe's file name for a result: `<output>-dask.py`. */
export function daskRecipeFileName(outputName: string): string {
  return `${outputName.replace(/\.zarr\.zip$|\.(h5|npy|zip)$/i, '')}-dask.py`;
}

/**
 * A runnable Python script (numpy, zarr 2, numcodecs, dask[distributed]) that applies a Zarr `spec` to
 * full .npy files on a Dask cluster. Throws RecipeUnsupportedError for anything but a Zarr row.
 */
export function daskRecipeScript(spec: StrategySpec, inputs: RecipeInputs): string {
  if (spec.strategyId !== 'zarr')
    throw new RecipeUnsupportedError(
      `the Dask recipe writes Zarr; ${spec.strategyId} files come from the single-machine h5py recipe`,
    );
  if (!LAYOUTS.includes(spec.layout))
    throw new RecipeUnsupportedError(`layout ${String(spec.layout)} is not supported by the Dask recipe yet`);
  const def = strategyOf('zarr');
  const params = { ...def.defaults, ...spec.params } as Params as unknown as ZarrParams;
  const encoding = ENCODING[params.values];
  if (!encoding)
    throw new RecipeUnsupportedError(`stored values ${String(params.values)} are not supported yet`);
  const quantized = params.values === 'quantized';
  const describe = def.describeParams(params as unknown as Params);
  const strategyAttr = JSON.stringify({
    id: spec.strategyId,
    layout: spec.layout,
    params: canonicalParams({ ...spec, params: params as unknown as Params }),
  });
  const measured = inputs.measured
    ? `# In the app, on ${inputs.inputName}: ${inputs.measured.bytes} bytes, max abs error ${inputs.measured.maxAbsError}.\n`
    : '';
  const file = daskRecipeFileName(inputs.outputName);
  const header = `#!/usr/bin/env python3
# ${APP_NAME} ${APP_VERSION} Dask recipe: ${def.label} · ${describe} · layout ${spec.layout}
# Made from ${inputs.inputName}; the app's file was ${inputs.outputName}.
${measured}"""Apply one h5squeeze Zarr plan to .npy files on a Dask cluster.

usage:  python3 ${file} INPUT.npy [MORE.npy ...] [-o OUTPUT] [--scheduler tcp://HOST:8786] [--workers N]

The inputs are concatenated along axis 0 (they must share the other axes and the dtype) and read
lazily, block by block, by the workers (np.load with mmap_mode="r"). A first pass computes the facts
the app computes (min, max, NaN/Inf${spec.layout === 'full' ? '' : ', max|A - A.T|'}${spec.layout.startsWith('used-pairs') ? ', the used pairs' : ''}${quantized ? ', a value sample' : ''}) and fixes the plan:
${quantized ? 'the quantization grid (numcodecs FixedScaleOffset, every value within eps, 0 exact), ' : ''}the chunks and the codec
(${describe}). Then every block is laid out, encoded and written with dask.array.to_zarr, and a
second pass reads the store back and records the measured max_abs_error, as the app does.

OUTPUT ending in .zip (the default, ${inputs.outputName}) gives one zip zarr.ZipStore opens, like the
app's download; any other name is a directory store. Without --scheduler a LocalCluster starts on this
machine; with it, the same script runs on that cluster, whose workers must be able to read the inputs
and write the output directory (a shared filesystem).

Needs numpy, zarr 2 (not 3), numcodecs and dask[distributed].
"""`;
  const imports = [
    'import argparse',
    'import json',
    'import math',
    'import os',
    'import shutil',
    'import sys',
    'import zipfile',
    '',
    'import dask',
    'import dask.array as da',
    'import numcodecs',
    'import numpy as np',
    'import zarr',
    'from dask.distributed import Client, LocalCluster',
  ].join('\n');
  const params_ = [
    `STRATEGY_ID = ${py(spec.strategyId)}`,
    `LAYOUT = ${py(spec.layout)}`,
    '# The `strategy` attribute, exactly as the app writes it.',
    `STRATEGY_ATTR = ${py(strategyAttr)}`,
    `DEFAULT_OUTPUT = ${py(inputs.outputName)}`,
    `CREATED_BY = ${py(`${APP_NAME} ${APP_VERSION} recipe (dask)`)}`,
    `RESTORE_PYTHON = ${py(restorePythonZarrSnippet(inputs.outputName, spec.layout))}`,
    '# The error bound the user asked for (quantized values), or None.',
    `EPS = ${quantized ? pyFloat(Number(params.eps)) : 'None'}`,
    `ENCODING = ${py(encoding)}`,
    `NAN_REFUSAL = ${quantized ? py('integers cannot represent NaN or ±Inf, so quantization is off for this array') : 'None'}`,
    `COMPRESSOR = ${compressorPython(params)}`,
    '# numcodecs.Shuffle of the stored elements (more than one byte) before the compressor, as the app does.',
    `SHUFFLE = ${params.codec === 'zlib' && params.shuffle === 'byte' ? 'True' : 'False'}`,
  ].join('\n');
  const modules = [commonPy, factsPy, symmetricPy, quantizePy, verifyPy, daskFactsPy, daskPlanPy, daskMainPy];
  return [header, imports, params_, ...modules]
    .map((part) => part.trim())
    .join('\n\n\n')
    .concat('\n');
}
