// Shareable settings: the URL hash and a small JSON file. Pure parsing/serialising; invalid or unknown
// entries are ignored (a link keeps working when a setting is added or removed), and every value is
// range-checked like the controls do.
//
// Hash form (no leading `#`):
//   tol=0.0079&tm=abs&follow=eps,d&gz=4&layout=both&codecs=…&plugins=0
// `follow` lists the knobs that follow the tolerance (`eps`, `d`, or `none`); a knob set by hand
// adds its value (`eps=0.001`, `d=3`).
//
// Older links (`#d=4&eps=0.0001&gz=4&layout=both&codecs=…&tol=0.0001`) have no `follow`. They always
// carried `d` and `eps`, whether or not anyone had touched them, so those say nothing about intent:
// without an explicit `follow`, ε and D keep following the tolerance (the values are kept as the
// by-hand values, used only once a knob is set by hand). A link with `follow` that leaves a knob out
// sets it by hand.
import type { LayoutChoice, SweepSettings } from '../strategies/sweep';
import { CODEC_PRESETS, LAYOUT_CHOICES } from '../strategies/sweep';
import { APP_NAME, APP_VERSION } from '../core/app-info';

export type ToleranceMode = 'abs' | 'rel';

export interface ShareableSettings {
  settings: SweepSettings;
  /** The tolerance as typed: absolute, or a fraction of max|value| (`toleranceMode` 'rel'). */
  tolerance: number;
  toleranceMode: ToleranceMode;
  /** The recommendation may pick files that need hdf5plugin. */
  allowPlugins: boolean;
}

/** What a hash or JSON file sets; absent fields keep their current value. */
export interface SettingsPatch {
  settings: Partial<SweepSettings>;
  tolerance?: number;
  toleranceMode?: ToleranceMode;
  allowPlugins?: boolean;
}

export const SETTINGS_KIND = 'h5squeeze-settings';

export class SettingsError extends Error {
  readonly code = 'BAD_SETTINGS';
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

function numberOf(v: unknown): number | undefined {
  const x = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof x === 'number' ? x : undefined;
}

function intIn(v: unknown, lo: number, hi: number): number | undefined {
  const x = numberOf(v);
  return x !== undefined && Number.isInteger(x) && x >= lo && x <= hi ? x : undefined;
}

function positive(v: unknown, allowZero: boolean): number | undefined {
  const x = numberOf(v);
  return x !== undefined && Number.isFinite(x) && (x > 0 || (allowZero && x === 0)) ? x : undefined;
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  return undefined;
}

/** Known codec preset keys from a comma list or an array; unknown keys are dropped. */
function codecList(v: unknown): string[] | undefined {
  const items = typeof v === 'string' ? (v === '' ? [] : v.split(',')) : Array.isArray(v) ? v : undefined;
  if (!items) return undefined;
  return CODEC_PRESETS.map((p) => p.key).filter((k) => items.includes(k));
}

function layoutChoice(v: unknown): LayoutChoice | undefined {
  return LAYOUT_CHOICES.find((l) => l === v);
}

function toleranceMode(v: unknown): ToleranceMode | undefined {
  return v === 'abs' || v === 'rel' ? v : undefined;
}

/** Builds a patch from loosely typed fields, keeping only valid values. */
function patchOf(f: {
  decimals?: unknown;
  eps?: unknown;
  epsAuto?: unknown;
  decimalsAuto?: unknown;
  gzipLevel?: unknown;
  layouts?: unknown;
  codecs?: unknown;
  tolerance?: unknown;
  toleranceMode?: unknown;
  allowPlugins?: unknown;
}): SettingsPatch {
  const settings: Partial<SweepSettings> = {};
  const decimals = intIn(f.decimals, 0, 10);
  if (decimals !== undefined) settings.decimals = decimals;
  const eps = positive(f.eps, false);
  if (eps !== undefined) settings.eps = eps;
  // No explicit flag (an older link or file): a value present keeps following (see the top comment).
  const epsAuto = bool(f.epsAuto) ?? (eps !== undefined ? true : undefined);
  if (epsAuto !== undefined) settings.epsAuto = epsAuto;
  const decimalsAuto = bool(f.decimalsAuto) ?? (decimals !== undefined ? true : undefined);
  if (decimalsAuto !== undefined) settings.decimalsAuto = decimalsAuto;
  const gzipLevel = intIn(f.gzipLevel, 1, 9);
  if (gzipLevel !== undefined) settings.gzipLevel = gzipLevel;
  const layouts = layoutChoice(f.layouts);
  if (layouts !== undefined) settings.layouts = layouts;
  const codecs = codecList(f.codecs);
  if (codecs !== undefined) settings.codecs = codecs;
  const patch: SettingsPatch = { settings };
  const tolerance = positive(f.tolerance, true);
  if (tolerance !== undefined) patch.tolerance = tolerance;
  const mode = toleranceMode(f.toleranceMode);
  if (mode !== undefined) patch.toleranceMode = mode;
  const allowPlugins = bool(f.allowPlugins);
  if (allowPlugins !== undefined) patch.allowPlugins = allowPlugins;
  return patch;
}

/** `tol=0.0079&tm=abs&follow=eps,d&gz=4&layout=both&codecs=…&plugins=0` (no leading `#`). */
export function settingsToHash({
  settings,
  tolerance,
  toleranceMode,
  allowPlugins,
}: ShareableSettings): string {
  const p = new URLSearchParams();
  p.set('tol', String(tolerance));
  p.set('tm', toleranceMode);
  const follow = [settings.epsAuto ? 'eps' : '', settings.decimalsAuto ? 'd' : ''].filter(Boolean);
  p.set('follow', follow.length > 0 ? follow.join(',') : 'none');
  if (!settings.epsAuto) p.set('eps', String(settings.eps));
  if (!settings.decimalsAuto) p.set('d', String(settings.decimals));
  p.set('gz', String(settings.gzipLevel));
  p.set('layout', settings.layouts);
  p.set('codecs', settings.codecs.join(','));
  p.set('plugins', allowPlugins ? '1' : '0');
  return p.toString();
}

/** Reads a location hash (with or without `#`); returns only the valid settings it names. */
export function parseSettingsHash(hash: string): SettingsPatch {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const get = (k: string) => p.get(k) ?? undefined;
  const follow = get('follow');
  const following = follow?.split(',').map((s) => s.trim());
  return patchOf({
    decimals: get('d'),
    eps: get('eps'),
    epsAuto: following ? following.includes('eps') : undefined,
    decimalsAuto: following ? following.includes('d') : undefined,
    gzipLevel: get('gz'),
    layouts: get('layout'),
    codecs: get('codecs'),
    tolerance: get('tol'),
    toleranceMode: get('tm'),
    allowPlugins: get('plugins'),
  });
}

export function settingsToJson({
  settings,
  tolerance,
  toleranceMode,
  allowPlugins,
}: ShareableSettings): string {
  return `${JSON.stringify(
    {
      kind: SETTINGS_KIND,
      app: { name: APP_NAME, version: APP_VERSION },
      tolerance,
      toleranceMode,
      epsAuto: settings.epsAuto,
      ...(settings.epsAuto ? {} : { eps: settings.eps }),
      decimalsAuto: settings.decimalsAuto,
      ...(settings.decimalsAuto ? {} : { decimals: settings.decimals }),
      gzipLevel: settings.gzipLevel,
      layouts: settings.layouts,
      codecs: settings.codecs,
      allowPlugins,
    },
    null,
    2,
  )}\n`;
}

/** Parses an exported settings file. Throws SettingsError when it isn't one. */
export function parseSettingsJson(text: string): SettingsPatch {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new SettingsError(`This is not a settings file (not JSON: ${e instanceof Error ? e.message : e}).`);
  }
  if (typeof obj !== 'object' || obj === null || (obj as { kind?: unknown }).kind !== SETTINGS_KIND)
    throw new SettingsError(`This is not an h5squeeze settings file (no "kind": "${SETTINGS_KIND}").`);
  return patchOf(obj as Record<string, unknown>);
}

/** True when the patch sets nothing. */
export function isEmptyPatch(p: SettingsPatch): boolean {
  return (
    Object.keys(p.settings).length === 0 &&
    p.tolerance === undefined &&
    p.toleranceMode === undefined &&
    p.allowPlugins === undefined
  );
}

/** What a patch sets, in short phrases for people ("τ = 0.001 × max|value|", "ε set by hand: 0.001"). */
export function describePatch(p: SettingsPatch): string[] {
  const s = p.settings;
  const out: string[] = [];
  if (p.tolerance !== undefined || p.toleranceMode !== undefined) {
    const mode = p.toleranceMode === 'rel' ? ' × max|value|' : p.toleranceMode === 'abs' ? ' (absolute)' : '';
    out.push(p.tolerance !== undefined ? `tolerance ${p.tolerance}${mode}` : `tolerance${mode}`);
  }
  if (s.epsAuto === false) out.push(s.eps !== undefined ? `ε set by hand: ${s.eps}` : 'ε set by hand');
  else if (s.epsAuto === true) out.push('ε follows the tolerance');
  if (s.decimalsAuto === false)
    out.push(s.decimals !== undefined ? `D set by hand: ${s.decimals}` : 'D set by hand');
  else if (s.decimalsAuto === true) out.push('D follows the tolerance');
  if (s.gzipLevel !== undefined) out.push(`gzip level ${s.gzipLevel}`);
  if (s.layouts !== undefined) out.push(`layout ${s.layouts}`);
  if (s.codecs !== undefined) out.push(`${s.codecs.length} plugin codec${s.codecs.length === 1 ? '' : 's'}`);
  if (p.allowPlugins !== undefined)
    out.push(p.allowPlugins ? 'files that need hdf5plugin included' : 'plain h5py/numpy files only');
  return out;
}

/** The tolerance field's text: a number ≥ 0, or why it isn't one (the field then changes nothing). */
export function parseToleranceText(text: string): { value: number } | { problem: string } {
  const t = text.trim();
  if (t === '') return { problem: 'Type a tolerance: 0 (lossless only) or a positive number such as 1e-3.' };
  const v = Number(t);
  if (Number.isNaN(v))
    return { problem: `“${t}” is not a number. Type 0 or a positive number such as 1e-3.` };
  if (!Number.isFinite(v)) return { problem: 'Type a finite number (0 or more).' };
  if (v < 0) return { problem: 'A tolerance can’t be negative: it is the largest |error| you accept.' };
  return { value: v };
}
