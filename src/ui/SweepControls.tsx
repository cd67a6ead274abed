import { useState } from 'react';
import { useStore } from '../store/store';
import { updateSettings } from '../store/actions';
import { useDebouncedEffect } from './useDebounced';
import { SettingsShare } from './SettingsShare';
import type { LayoutChoice } from '../strategies/sweep';
import { CODEC_PRESETS, triangleProblem } from '../strategies/sweep';

function parsePositive(text: string): number | null {
  const v = Number(text.trim());
  return Number.isFinite(v) && v > 0 ? v : null;
}

export function SweepControls() {
  const settings = useStore((s) => s.settings);
  const shape = useStore((s) => s.input?.shape);
  const [decimals, setDecimals] = useState(settings.decimals);
  const [epsText, setEpsText] = useState(String(settings.eps));
  const eps = parsePositive(epsText);
  // Settings can change from outside (a shared link's hash, an imported file): follow them.
  const [seen, setSeen] = useState(settings);
  if (seen !== settings) {
    setSeen(settings);
    if (settings.decimals !== seen.decimals) setDecimals(settings.decimals);
    if (settings.eps !== seen.eps && eps !== settings.eps) setEpsText(String(settings.eps));
  }
  useDebouncedEffect(decimals, 250, (d) => updateSettings({ decimals: d }));
  useDebouncedEffect(eps, 400, (e) => {
    if (e !== null) updateSettings({ eps: e });
  });
  const triangleOff = shape ? triangleProblem(shape) : null;

  return (
    <section className="card controls" aria-label="Strategy settings">
      <div className="control">
        <label htmlFor="scaleoffset-slider">
          scaleoffset decimals D = <strong>{decimals}</strong>
          <span className="muted"> · error ≤ 10{toSuperscript(-decimals)}</span>
        </label>
        <input
          id="scaleoffset-slider"
          data-testid="scaleoffset-slider"
          type="range"
          min={0}
          max={10}
          step={1}
          value={decimals}
          onChange={(e) => setDecimals(Number(e.target.value))}
        />
      </div>
      <div className="control">
        <label htmlFor="error-bound-input">quantization bound ε</label>
        <input
          id="error-bound-input"
          data-testid="error-bound-input"
          type="text"
          inputMode="decimal"
          value={epsText}
          aria-invalid={eps === null}
          onChange={(e) => setEpsText(e.target.value)}
        />
        {eps === null && <span className="warn small">ε must be a positive number</span>}
      </div>
      <div className="control">
        <label htmlFor="gzip-level">gzip level</label>
        <select
          id="gzip-level"
          value={settings.gzipLevel}
          onChange={(e) => updateSettings({ gzipLevel: Number(e.target.value) })}
        >
          {[1, 2, 3, 4, 5, 6, 7, 8, 9].map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="control layout-toggle" disabled={!!triangleOff}>
        <legend>layout</legend>
        {(['full', 'triangle', 'both'] as LayoutChoice[]).map((l) => (
          <label key={l}>
            <input
              type="radio"
              name="layout"
              value={l}
              checked={triangleOff ? l === 'full' : settings.layouts === l}
              onChange={() => updateSettings({ layouts: l })}
            />
            {l === 'triangle' ? 'upper triangle' : l}
          </label>
        ))}
      </fieldset>
      <CodecPicker selected={settings.codecs} />
      <SettingsShare />
    </section>
  );
}

/** Plugin codec presets, each a checkbox; the sweep re-runs only the codecs switched on. */
function CodecPicker({ selected }: { selected: readonly string[] }) {
  return (
    <details className="control codec-picker">
      <summary>
        plugin codecs{' '}
        <span className="muted">
          ({selected.length} of {CODEC_PRESETS.length} on)
        </span>
      </summary>
      <fieldset>
        <legend className="visually-hidden">plugin codecs to run</legend>
        {CODEC_PRESETS.map((p) => (
          <label key={p.key}>
            <input
              type="checkbox"
              data-testid="codec-toggle"
              value={p.key}
              checked={selected.includes(p.key)}
              onChange={(e) =>
                updateSettings({
                  codecs: CODEC_PRESETS.map((q) => q.key).filter((k) =>
                    k === p.key ? e.target.checked : selected.includes(k),
                  ),
                })
              }
            />
            {p.label}
          </label>
        ))}
      </fieldset>
    </details>
  );
}

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

export function toSuperscript(n: number): string {
  return String(n)
    .split('')
    .map((c) => SUPERSCRIPT[c] ?? c)
    .join('');
}
