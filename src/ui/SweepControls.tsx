import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { getState, useStore } from '../store/store';
import { setTolerance, updateSettings } from '../store/actions';
import { absTolerance, factsOfInput } from '../store/selectors';
import { parseToleranceText } from '../store/settings-url';
import { useDebouncedEffect } from './useDebounced';
import { LinkNotice, SettingsShare } from './SettingsShare';
import type { LayoutChoice, SweepSettings } from '../strategies/sweep';
import {
  CODEC_PRESETS,
  LAYOUT_CHOICES,
  LAYOUT_SHORT,
  effectiveKnobs,
  layoutsFor,
  triangleProblem,
} from '../strategies/sweep';
import type { InputFacts } from '../strategies/types';
import { LAYOUTS } from '../layouts/registry';
import { USED_PAIRS_MIN_SAVING } from '../layouts/used-pairs';

/** A number short enough to read in a field (5 significant digits), e.g. 0.0025107. */
export function shortNumber(x: number): string {
  return String(Number(x.toPrecision(5)));
}

function parsePositive(text: string): number | null {
  const t = text.trim();
  const v = t === '' ? NaN : Number(t);
  return Number.isFinite(v) && v > 0 ? v : null;
}

export function SweepControls() {
  const { settings, input, tau } = useStore(
    useShallow((s) => ({ settings: s.settings, input: s.input, tau: absTolerance(s) })),
  );
  const facts = useMemo(() => (input ? factsOfInput(input) : null), [input]);
  const shape = input?.shape ?? [];
  const layouts = layoutsFor(shape, settings.layouts, facts);
  // The knobs as the sweep runs them for the packed layout (their bound pays the layout's cost), or full.
  const shownLayout = layouts.find((l) => l !== 'full') ?? 'full';
  const knobs = effectiveKnobs(settings, tau, shownLayout, facts);

  return (
    <section className="card controls" aria-label="Tolerance and strategy settings">
      <LinkNotice />
      <div className="controls-grid">
        <ToleranceField />
        <div className="explore" role="group" aria-labelledby="explore-title">
          <div className="explore-head">
            <h2 id="explore-title">Explore</h2>
            <span className="muted small">ε and D follow the tolerance unless you set them by hand</span>
          </div>
          <div className="explore-knobs">
            <EpsControl settings={settings} effective={knobs.eps} tau={tau} />
            <DecimalsControl
              settings={settings}
              effective={knobs.decimals}
              tau={tau}
              layout={LAYOUT_SHORT[shownLayout]}
            />
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
            <CodecPicker selected={settings.codecs} />
          </div>
          <LayoutToggle choice={settings.layouts} shape={shape} facts={facts} runs={layouts} />
          <SettingsShare />
        </div>
      </div>
    </section>
  );
}

/**
 * The main input: the largest max-abs error the user accepts, absolute or as a fraction of max|value|.
 * Typing re-runs every error-bounded row for it (debounced); anything but 0 or a positive number
 * shows why and changes nothing.
 */
function ToleranceField() {
  const { tolerance, mode, summary } = useStore(
    useShallow((s) => ({ tolerance: s.tolerance, mode: s.toleranceMode, summary: s.input?.summary })),
  );
  const [text, setText] = useState(String(tolerance));
  const parsed = parseToleranceText(text);
  const value = 'value' in parsed ? parsed.value : null;
  // The tolerance can change from outside (a shared link's hash, an imported settings file).
  const [seen, setSeen] = useState(tolerance);
  if (seen !== tolerance) {
    setSeen(tolerance);
    if (value !== tolerance) setText(String(tolerance));
  }
  useEffect(() => {
    if (value === null || value === getState().tolerance) return;
    const t = setTimeout(() => setTolerance(value), 300);
    return () => clearTimeout(t);
  }, [value]);

  const maxAbs = summary?.maxAbs ?? 0;
  const lo = summary?.min ?? NaN;
  const hi = summary?.max ?? NaN;
  const shown = value ?? tolerance;
  const tau = mode === 'abs' ? shown : shown * maxAbs;
  const range = hi - lo;
  const wide = tau > 0 && ((Number.isFinite(range) && tau >= range) || tau >= maxAbs);

  let message: { kind: 'warn' | 'note'; text: string } | null = null;
  if ('problem' in parsed)
    message = {
      kind: 'warn',
      text: `${parsed.problem} The results still use τ = ${shortNumber(mode === 'abs' ? tolerance : tolerance * maxAbs)}.`,
    };
  else if (tau === 0)
    message = {
      kind: 'note',
      text: 'τ = 0 means lossless only: only files that give back every value exactly qualify.',
    };
  else if (wide)
    message = {
      kind: 'note',
      text:
        Number.isFinite(range) && tau >= range
          ? `Wider than the data’s whole range (${shortNumber(lo)} … ${shortNumber(hi)}): any file qualifies, even all zeros.`
          : `At least max|value| (${shortNumber(maxAbs)}): any file qualifies, even all zeros.`,
    };

  return (
    <div className="tolerance-field">
      <label htmlFor="tolerance-input" className="tolerance-label">
        Max error you accept
      </label>
      <div className="tolerance-row">
        <input
          id="tolerance-input"
          data-testid="tolerance-input"
          type="text"
          inputMode="decimal"
          autoComplete="off"
          spellCheck={false}
          value={text}
          aria-invalid={value === null}
          aria-describedby="tolerance-meaning tolerance-message"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && value !== null) setTolerance(value);
          }}
          onBlur={() => {
            if (value !== null) setTolerance(value);
          }}
        />
        <select
          aria-label="Tolerance unit"
          data-testid="tolerance-mode"
          value={mode}
          onChange={(e) => setTolerance(value ?? tolerance, e.target.value as 'abs' | 'rel')}
        >
          <option value="abs">absolute</option>
          <option value="rel">× max|value|</option>
        </select>
      </div>
      <p id="tolerance-meaning" className="muted small" data-testid="tolerance-abs" data-tau={tau}>
        τ = <strong>{shortNumber(tau)}</strong>
        {mode === 'abs'
          ? maxAbs > 0 && tau > 0
            ? ` · ${formatRelative(tau / maxAbs)} of max|value| (${shortNumber(maxAbs)})`
            : ''
          : ` = ${shortNumber(shown)} × max|value| (${shortNumber(maxAbs)})`}
      </p>
      <p
        id="tolerance-message"
        className={`small tolerance-message ${message?.kind ?? ''}`}
        data-testid="tolerance-message"
        aria-live="polite"
      >
        {message?.text}
      </p>
      <p className="muted small tolerance-hint">
        Every error-bounded strategy runs again for this τ; the smallest file within it is recommended below.
      </p>
    </div>
  );
}

function formatRelative(f: number): string {
  const p = f * 100;
  return p >= 10
    ? `${p.toFixed(0)} %`
    : p >= 0.01
      ? `${Number(p.toPrecision(2))} %`
      : `${p.toExponential(1)} %`;
}

/** Whether a knob follows the tolerance, with the one click back to following when set by hand. */
function KnobState({ auto, onFollow, what }: { auto: boolean; onFollow: () => void; what: string }) {
  return auto ? (
    <span className="knob-state follows">follows tolerance</span>
  ) : (
    <span className="knob-state by-hand">
      set by hand
      <button
        type="button"
        className="link-button"
        onClick={onFollow}
        aria-label={`${what}: follow tolerance`}
      >
        follow tolerance
      </button>
    </span>
  );
}

function EpsControl({
  settings,
  effective,
  tau,
}: {
  settings: SweepSettings;
  effective: number | null;
  tau: number;
}) {
  // What the user is typing (null: show the value in use).
  const [draft, setDraft] = useState<string | null>(null);
  const draftValue = draft === null ? null : parsePositive(draft);
  const [seen, setSeen] = useState({ eps: settings.eps, auto: settings.epsAuto });
  if (seen.eps !== settings.eps || seen.auto !== settings.epsAuto) {
    setSeen({ eps: settings.eps, auto: settings.epsAuto });
    // Changed from outside (link, file, follow button): drop a draft that no longer matches.
    if (settings.epsAuto || draftValue !== settings.eps) setDraft(null);
  }
  const commit = (v: number) => {
    if (v !== settings.eps || settings.epsAuto) updateSettings({ eps: v, epsAuto: false });
  };
  useDebouncedEffect(draftValue, 400, (v) => {
    if (v !== null) commit(v);
  });
  const inUse = settings.epsAuto ? effective : settings.eps;
  const shown = draft ?? (inUse === null ? '' : shortNumber(inUse));
  const bad = draft !== null && draftValue === null;
  return (
    <div className="control knob">
      <label htmlFor="error-bound-input">quantization bound ε</label>
      <input
        id="error-bound-input"
        data-testid="error-bound-input"
        type="text"
        inputMode="decimal"
        autoComplete="off"
        spellCheck={false}
        value={shown}
        placeholder={inUse === null ? 'off (τ = 0)' : undefined}
        title={inUse === null ? undefined : `ε in use: ${inUse}`}
        data-auto={settings.epsAuto}
        aria-invalid={bad}
        aria-describedby="eps-state"
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setDraft(null);
          if (e.key === 'Enter' && draftValue !== null) commit(draftValue);
        }}
        onBlur={() => {
          if (draftValue !== null) {
            commit(draftValue);
            setDraft(null);
          }
        }}
      />
      <span id="eps-state" className="small" aria-live="polite">
        {bad ? (
          <span className="warn">ε must be a positive number; nothing changed</span>
        ) : (
          <>
            <KnobState auto={settings.epsAuto} what="ε" onFollow={() => updateSettings({ epsAuto: true })} />
            {settings.epsAuto && inUse === null && <span className="muted"> · off at τ = 0</span>}
            {!settings.epsAuto && tau > 0 && settings.eps > tau && (
              <span className="warn knob-warn">ε is above τ: its files miss the tolerance</span>
            )}
          </>
        )}
      </span>
    </div>
  );
}

function DecimalsControl({
  settings,
  effective,
  tau,
  layout,
}: {
  settings: SweepSettings;
  effective: { float32: number | null; float64: number | null };
  tau: number;
  /** The layout the followed D is shown for (its own error is paid out of τ). */
  layout: string;
}) {
  const [draft, setDraft] = useState<number | null>(null);
  const [seen, setSeen] = useState({ d: settings.decimals, auto: settings.decimalsAuto });
  if (seen.d !== settings.decimals || seen.auto !== settings.decimalsAuto) {
    setSeen({ d: settings.decimals, auto: settings.decimalsAuto });
    if (settings.decimalsAuto || draft !== settings.decimals) setDraft(null);
  }
  useDebouncedEffect(draft, 250, (d) => {
    if (d !== null && (d !== settings.decimals || settings.decimalsAuto))
      updateSettings({ decimals: d, decimalsAuto: false });
  });
  const auto = settings.decimalsAuto;
  const main = auto ? (effective.float64 ?? effective.float32) : settings.decimals;
  const value = draft ?? main ?? settings.decimals;
  const off = draft === null && main === null;
  const f32Differs = auto && draft === null && effective.float32 !== effective.float64;
  return (
    <div className={`control knob decimals${off ? ' off' : ''}`}>
      <label htmlFor="scaleoffset-slider">
        scaleoffset decimals D = <strong>{off ? 'off' : value}</strong>
        {!off && <span className="muted"> · error ≤ 10{toSuperscript(-value)}</span>}
      </label>
      <input
        id="scaleoffset-slider"
        data-testid="scaleoffset-slider"
        data-auto={auto}
        type="range"
        min={0}
        max={10}
        step={1}
        value={value}
        aria-valuetext={off ? 'off' : `D = ${value}`}
        title={auto ? `The D the sweep runs for the ${layout} layout at τ = ${shortNumber(tau)}` : undefined}
        aria-describedby="decimals-state"
        onChange={(e) => setDraft(Number(e.target.value))}
      />
      <span id="decimals-state" className="small" aria-live="polite">
        <KnobState auto={auto} what="D" onFollow={() => updateSettings({ decimalsAuto: true })} />
        {auto && off && (
          <span className="muted">{tau > 0 ? ' · no D up to 10 fits τ' : ' · off at τ = 0'}</span>
        )}
        {f32Differs && (
          <span className="muted">
            {' '}
            · float32 rows: {effective.float32 === null ? 'off' : `D = ${effective.float32}`}
          </span>
        )}
      </span>
    </div>
  );
}

const LAYOUT_INFO: Record<LayoutChoice, { label: string; explain: string }> = {
  full: { label: 'full', explain: 'every value, as loaded' },
  triangle: {
    label: 'triangle',
    explain: 'the upper triangle of each symmetric matrix: about half the values',
  },
  pairs: {
    label: 'pairs',
    explain: 'only the feature pairs that are non-zero in some matrix (unused SHAP features are all 0)',
  },
  both: { label: 'both', explain: 'the full array and the best packed layout for this array' },
  all: { label: 'all', explain: 'every layout that applies' },
};

/** Why a layout choice doesn't apply to this input, or null. */
function layoutChoiceProblem(
  choice: LayoutChoice,
  shape: readonly number[],
  facts: InputFacts | null,
): string | null {
  if (choice === 'full') return null;
  const tri = triangleProblem(shape);
  if (tri) return tri;
  if (choice !== 'pairs') return null;
  const p = LAYOUTS['used-pairs'].problem(shape, facts);
  if (p) return p;
  if (facts && !LAYOUTS['used-pairs'].pays(shape, facts))
    return `fewer than ${USED_PAIRS_MIN_SAVING * 100} % of the pairs are unused: the triangle does as well`;
  return null;
}

function LayoutToggle({
  choice,
  shape,
  facts,
  runs,
}: {
  choice: LayoutChoice;
  shape: readonly number[];
  facts: InputFacts | null;
  runs: readonly string[];
}) {
  const problems = Object.fromEntries(
    LAYOUT_CHOICES.map((l) => [l, layoutChoiceProblem(l, shape, facts)]),
  ) as Record<LayoutChoice, string | null>;
  const off = LAYOUT_CHOICES.filter((l) => problems[l]);
  return (
    <fieldset className="control layout-toggle" aria-describedby="layout-explain">
      <legend>layout</legend>
      <div className="segmented">
        {LAYOUT_CHOICES.map((l) => (
          <label
            key={l}
            className={problems[l] ? 'disabled' : undefined}
            title={problems[l] ? `Doesn’t apply: ${problems[l]}` : LAYOUT_INFO[l].explain}
          >
            <input
              type="radio"
              name="layout"
              value={l}
              disabled={!!problems[l]}
              checked={choice === l}
              onChange={() => updateSettings({ layouts: l })}
            />
            <span>{LAYOUT_INFO[l].label}</span>
          </label>
        ))}
      </div>
      <p id="layout-explain" className="muted small">
        <strong>{LAYOUT_INFO[choice].label}</strong>: {LAYOUT_INFO[choice].explain}. Runs{' '}
        {runs.map((l) => LAYOUT_SHORT[l as keyof typeof LAYOUT_SHORT]).join(' + ')}.
        {off.length > 0 && (
          <>
            {' '}
            Off here: {off.map((l) => LAYOUT_INFO[l].label).join(', ')} ({problems[off[0]!]}).
          </>
        )}
      </p>
    </fieldset>
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
