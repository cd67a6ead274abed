// What one job reports: the small serialisable summary (the results JSON of docs/ARCHITECTURE.md plus
// UI extras), the file's name, and the file-contract attributes every written file carries.
import type { DTypeCode } from '../core/ndarray';
import { numpyDescr } from '../core/ndarray';
import type { ErrorMetrics } from '../core/metrics';
import type { AttrValue, DatasetPlan } from '../hdf5/types';
import type {
  InputFacts,
  Layout,
  LayoutValues,
  Params,
  ReadableBy,
  StrategyId,
  StrategySpec,
} from '../strategies/types';
import { strategyOf } from '../strategies/registry';
import { canonicalParams, resultIdOf } from '../strategies/sweep';
import { APP_NAME, APP_VERSION } from '../core/app-info';
import { layoutOf } from '../layouts/registry';

/** The small, serialisable summary of one result (the results JSON of docs/ARCHITECTURE.md, plus UI extras). */
export interface StrategyResult {
  id: string;
  strategyId: StrategyId;
  label: string;
  params: Params;
  paramsLabel: string;
  layout: Layout;
  fileName: string;
  bytes: number;
  ratio: number;
  maxAbsError: number;
  maxRelError: number;
  rmse: number;
  psnr: number;
  encodeMs: number;
  verifyMs: number;
  readableBy: ReadableBy;
  /** What the strategy promised against the loaded array (0 = lossless). */
  errorBound: number;
  nanMismatch: number;
  warnings: string[];
  restorePython: string;
}

/** The small summary of one measured file (in-memory and streamed runs alike). */
export function summarizeResult(r: {
  spec: StrategySpec;
  params: Params;
  /** Layout values whose shape and facts describe the whole array. */
  values: LayoutValues;
  metrics: ErrorMetrics;
  bytes: number;
  originalBytes: number;
  fileName: string;
  encodeMs: number;
  verifyMs: number;
  restorePython: string;
}): StrategyResult {
  const def = strategyOf(r.spec.strategyId);
  const m = r.metrics;
  return {
    id: resultIdOf(r.spec),
    strategyId: r.spec.strategyId,
    label: def.label,
    params: canonicalParams({ ...r.spec, params: r.params }),
    paramsLabel: def.describeParams(r.params),
    layout: r.spec.layout,
    fileName: r.fileName,
    bytes: r.bytes,
    ratio: r.bytes > 0 ? r.originalBytes / r.bytes : 0,
    maxAbsError: m.maxAbsError,
    maxRelError: m.maxRelError,
    rmse: m.rmse,
    psnr: m.psnr,
    encodeMs: r.encodeMs,
    verifyMs: r.verifyMs,
    readableBy: def.readableBy(r.params),
    errorBound: def.errorBound(r.values, r.params) + r.values.layoutError,
    nanMismatch: m.nanMismatch,
    warnings: def.warnings(r.values, r.params),
    restorePython: r.restorePython,
  };
}

function fileStem(name: string): string {
  return name.replace(/\.npy$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_') || 'array';
}

export function fileNameFor(inputName: string, spec: StrategySpec): string {
  const def = strategyOf(spec.strategyId);
  const variant = def.variantKey(spec.params);
  const parts = [fileStem(inputName), spec.strategyId, layoutOf(spec.layout).fileTag, variant].filter(
    (s) => s,
  );
  const reader = def.readableBy(spec.params);
  return `${parts.join('-')}.${reader === 'numpy' ? 'npy' : reader === 'zarr' ? 'zarr.zip' : 'h5'}`;
}

/** The file-contract attributes of `/data` and the root group (docs/FILE-FORMAT.md). */
export function contractAttrs(
  original: { shape: readonly number[]; dtype: DTypeCode },
  spec: StrategySpec,
  params: Params,
  strategyAttrs: Record<string, AttrValue>,
  restorePython: string,
  facts: InputFacts,
): Pick<DatasetPlan, 'attrs' | 'rootAttrs'> {
  return {
    attrs: {
      layout: { type: 'string', value: spec.layout },
      ...layoutOf(spec.layout).attrs(original.shape, facts),
      original_shape: { type: 'int64[]', value: [...original.shape] },
      original_dtype: { type: 'string', value: numpyDescr(original.dtype) },
      ...strategyAttrs,
      max_abs_error: { type: 'float64', value: NaN },
      strategy: {
        type: 'string',
        value: JSON.stringify({
          id: spec.strategyId,
          layout: spec.layout,
          params: canonicalParams({ ...spec, params }),
        }),
      },
      created_by: { type: 'string', value: `${APP_NAME} ${APP_VERSION}` },
    },
    rootAttrs: { restore_python: { type: 'string', value: restorePython } },
  };
}
