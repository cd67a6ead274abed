import { useStore } from '../store/store';
import { formatMB, formatNumber, formatShape } from './format';
import { triangleProblem } from '../strategies/sweep';

export function ArraySummaryCard() {
  const input = useStore((s) => s.input);
  if (!input) return null;
  const s = input.summary;
  const triangle = triangleProblem(input.shape);
  let symmetric: string;
  if (triangle) symmetric = 'n/a (not square matrices)';
  else if (s.symmetric === 'exact') symmetric = 'yes, exactly';
  else if (s.symmetric === 'near') symmetric = `within ${formatNumber(s.maxAsymmetry)}`;
  else symmetric = `no (max |A−Aᵀ| = ${formatNumber(s.maxAsymmetry)})`;
  const infCount = s.posInfCount + s.negInfCount;
  return (
    <section className="card summary" data-testid="array-summary" aria-label="Loaded array">
      <h2 title={input.name}>{input.name}</h2>
      <dl>
        <div>
          <dt>shape</dt>
          <dd data-testid="summary-shape">
            {formatShape(input.sample ? input.sample.fullShape : input.shape)}
          </dd>
        </div>
        <div>
          <dt>dtype</dt>
          <dd>
            {input.sourceDescr}
            {input.fortranOrder ? ' (Fortran order)' : ''}
          </dd>
        </div>
        <div>
          <dt>size</dt>
          <dd>{formatMB(input.sample ? input.sample.fullBytes : input.bytes)}</dd>
        </div>
        <div>
          <dt>symmetric</dt>
          <dd data-testid="summary-symmetric">{symmetric}</dd>
        </div>
        <div>
          <dt>range</dt>
          <dd>
            {s.finiteCount > 0 ? `${formatNumber(s.min)} … ${formatNumber(s.max)}` : 'no finite values'}
          </dd>
        </div>
        <div>
          <dt>NaN / Inf</dt>
          <dd className={s.nanCount + infCount > 0 ? 'warn' : undefined}>
            {s.nanCount.toLocaleString()} / {infCount.toLocaleString()}
          </dd>
        </div>
      </dl>
      {triangle && <p className="note">Triangle packing is off: {triangle}.</p>}
      {!triangle && s.symmetric === 'no' && (
        <p className="note">
          These matrices are not symmetric: triangle packing stores (A+Aᵀ)/2 and costs up to{' '}
          {formatNumber(s.maxAsymmetry / 2)} of error on its own.
        </p>
      )}
    </section>
  );
}
