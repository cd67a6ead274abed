// Shareable sweep settings: the URL hash (`#d=4&eps=0.0001&gz=4&layout=both&codecs=…&tol=0.0001`) and a small
// JSON file. Pure parsing/serialising; invalid or unknown entries are ignored (a link keeps working
// when a setting is added or removed), and every value is range-checked like the controls do.
import type { LayoutChoice, SweepSettings } from '../strategies/sweep';
import { CODEC_PRESETS } from '../strategies/sweep';
import { APP_NAME, APP_VERSION } from '../core/app-info';

export interface ShareableSettings {
  settings: SweepSettings;
  tolerance: number;
}

/** What a hash or JSON file sets; absent fields keep their current value. */
export interface SettingsPatch {
  settings: Partial<SweepSettings>;
  tolerance?: number;
}

export const SETTINGS_KIND = 'h5squeeze-settings';

const LAYOUT_CHOICES: readonly LayoutChoice[] = ['full', 'triangle', 'both'];

export class SettingsError extends Error {
  readonly code = 'BAD_SETTINGS';
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

function intIn(v: unknown, lo: number, hi: number): number | undefined {
  const x = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof x === 'number' && Number.isInteger(x) && x >= lo && x <= hi ? x : undefined;
}

function positive(v: unknown, allowZero: boolean): number | undefined {
  const x = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof x === 'number' && Number.isFinite(x) && (x > 0 || (allowZero && x === 0)) ? x : undefined;
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

/** Builds a patch from loosely typed fields, keeping only valid values. */
function patchOf(f: {
  decimals?: unknown;
  eps?: unknown;
  gzipLevel?: unknown;
  layouts?: unknown;
  codecs?: unknown;
  tolerance?: unknown;
}): SettingsPatch {
  const settings: Partial<SweepSettings> = {};
  const decimals = intIn(f.decimals, 0, 10);
  if (decimals !== undefined) settings.decimals = decimals;
  const eps = positive(f.eps, false);
  if (eps !== undefined) settings.eps = eps;
  const gzipLevel = intIn(f.gzipLevel, 1, 9);
  if (gzipLevel !== undefined) settings.gzipLevel = gzipLevel;
  const layouts = layoutChoice(f.layouts);
  if (layouts !== undefined) settings.layouts = layouts;
  const codecs = codecList(f.codecs);
  if (codecs !== undefined) settings.codecs = codecs;
  const tolerance = positive(f.tolerance, true);
  return tolerance === undefined ? { settings } : { settings, tolerance };
}

/** `d=4&eps=0.0001&gz=4&layout=both&tol=0.0001` (no leading `#`). */
export function settingsToHash({ settings, tolerance }: ShareableSettings): string {
  const p = new URLSearchParams();
  p.set('d', String(settings.decimals));
  p.set('eps', String(settings.eps));
  p.set('gz', String(settings.gzipLevel));
  p.set('layout', settings.layouts);
  p.set('codecs', settings.codecs.join(','));
  p.set('tol', String(tolerance));
  return p.toString();
}

/** Reads a location hash (with or without `#`); returns only the valid settings it names. */
export function parseSettingsHash(hash: string): SettingsPatch {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const get = (k: string) => p.get(k) ?? undefined;
  return patchOf({
    decimals: get('d'),
    eps: get('eps'),
    gzipLevel: get('gz'),
    layouts: get('layout'),
    codecs: get('codecs'),
    tolerance: get('tol'),
  });
}

export function settingsToJson({ settings, tolerance }: ShareableSettings): string {
  return `${JSON.stringify(
    {
      kind: SETTINGS_KIND,
      app: { name: APP_NAME, version: APP_VERSION },
      decimals: settings.decimals,
      eps: settings.eps,
      gzipLevel: settings.gzipLevel,
      layouts: settings.layouts,
      codecs: settings.codecs,
      tolerance,
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
  return Object.keys(p.settings).length === 0 && p.tolerance === undefined;
}
