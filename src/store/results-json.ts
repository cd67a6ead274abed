// The results JSON export (schema in docs/ARCHITECTURE.md).
import type { InputInfo } from './store';
import type { StrategyResult } from '../workers/job';
import { APP_NAME, APP_VERSION } from '../core/app-info';

/** JSON has no Infinity/NaN: they are written as strings so nothing is silently lost. */
function num(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

export function resultsJson(input: InputInfo, results: readonly StrategyResult[]) {
  const s = input.summary;
  return {
    app: { name: APP_NAME, version: APP_VERSION },
    input: {
      name: input.name,
      shape: input.shape,
      dtype: input.sourceDescr,
      bytes: input.bytes,
      symmetric: s.symmetric === 'exact' || s.symmetric === 'near',
      maxAsymmetry: num(s.maxAsymmetry),
      min: num(s.min),
      max: num(s.max),
      nanCount: s.nanCount,
    },
    results: results.map((r) => ({
      id: r.id,
      label: r.label,
      params: r.params,
      layout: r.layout,
      fileName: r.fileName,
      bytes: r.bytes,
      ratio: num(r.ratio),
      maxAbsError: num(r.maxAbsError),
      maxRelError: num(r.maxRelError),
      rmse: num(r.rmse),
      psnr: num(r.psnr),
      encodeMs: r.encodeMs,
      verifyMs: r.verifyMs,
      readableBy: r.readableBy,
    })),
  };
}
