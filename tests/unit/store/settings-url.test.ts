// Shareable settings: URL hash and JSON file round trips, and what invalid input does (ignored).
import { describe, expect, it } from 'vitest';
import {
  isEmptyPatch,
  parseSettingsHash,
  parseSettingsJson,
  SettingsError,
  settingsToHash,
  settingsToJson,
} from '../../../src/store/settings-url';
import { DEFAULT_SWEEP_SETTINGS } from '../../../src/strategies/sweep';

const SHARED = {
  settings: {
    decimals: 3,
    eps: 7.8e-3,
    gzipLevel: 9,
    layouts: 'triangle' as const,
    codecs: ['bitshuffle-zstd-quantized', 'lz4-quantized'],
  },
  tolerance: 1e-3,
};

describe('settings in the URL hash', () => {
  it('serialises the documented form', () => {
    expect(settingsToHash({ settings: DEFAULT_SWEEP_SETTINGS, tolerance: 1e-4 })).toBe(
      'd=4&eps=0.0001&gz=4&layout=both&codecs=' +
        encodeURIComponent(DEFAULT_SWEEP_SETTINGS.codecs.join(',')) +
        '&tol=0.0001',
    );
  });

  it('round-trips, with or without #', () => {
    const hash = settingsToHash(SHARED);
    expect(parseSettingsHash(hash)).toEqual(SHARED);
    expect(parseSettingsHash(`#${hash}`)).toEqual(SHARED);
    const tiny = { settings: { ...SHARED.settings, eps: 1e-12 }, tolerance: 0 };
    expect(parseSettingsHash(settingsToHash(tiny))).toEqual(tiny);
  });

  it('keeps known codec presets (in preset order) and drops unknown ones', () => {
    expect(parseSettingsHash('#codecs=zfp-rate-r16-float32,nope,lz4-quantized').settings.codecs).toEqual([
      'lz4-quantized',
      'zfp-rate-r16-float32',
    ]);
    expect(parseSettingsHash('#codecs=').settings.codecs).toEqual([]);
  });

  it('keeps the valid entries and drops the rest', () => {
    expect(parseSettingsHash('#d=11&eps=-1&gz=0&layout=diagonal&tol=abc&x=1')).toEqual({ settings: {} });
    expect(parseSettingsHash('#d=2.5&eps=1e-3&gz=&layout=full')).toEqual({
      settings: { eps: 1e-3, layouts: 'full' },
    });
    expect(parseSettingsHash('#eps=Infinity&tol=NaN&d=')).toEqual({ settings: {} });
    expect(isEmptyPatch(parseSettingsHash(''))).toBe(true);
    expect(isEmptyPatch(parseSettingsHash('#d=0'))).toBe(false);
    expect(parseSettingsHash('#d=0').settings.decimals).toBe(0);
  });
});

describe('settings as a JSON file', () => {
  it('round-trips', () => {
    const text = settingsToJson(SHARED);
    expect(JSON.parse(text)).toMatchObject({ kind: 'h5squeeze-settings', app: { name: 'h5squeeze' } });
    expect(parseSettingsJson(text)).toEqual(SHARED);
  });

  it('refuses files that are not settings, and ignores bad fields', () => {
    expect(() => parseSettingsJson('{nope')).toThrow(SettingsError);
    expect(() => parseSettingsJson('{"decimals": 3}')).toThrow(/not an h5squeeze settings file/);
    expect(() => parseSettingsJson('null')).toThrow(SettingsError);
    expect(
      parseSettingsJson(
        '{"kind":"h5squeeze-settings","decimals":"3","eps":0,"gzipLevel":12,"tolerance":0.5}',
      ),
    ).toEqual({ settings: { decimals: 3 }, tolerance: 0.5 });
  });
});
