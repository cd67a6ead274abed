// Shareable settings: URL hash and JSON file round trips, older links, and what invalid input does
// (ignored, value by value).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  describePatch,
  isEmptyPatch,
  parseSettingsHash,
  parseSettingsJson,
  parseToleranceText,
  SettingsError,
  settingsToHash,
  settingsToJson,
} from '../../../src/store/settings-url';
import type { ShareableSettings } from '../../../src/store/settings-url';
import { CODEC_PRESETS, DEFAULT_SWEEP_SETTINGS, LAYOUT_CHOICES } from '../../../src/strategies/sweep';

const BY_HAND: ShareableSettings = {
  settings: {
    decimals: 3,
    eps: 7.8e-3,
    decimalsAuto: false,
    epsAuto: false,
    gzipLevel: 9,
    layouts: 'triangle',
    codecs: ['bitshuffle-zstd-quantized', 'lz4-quantized'],
  },
  tolerance: 1e-3,
  toleranceMode: 'abs',
  allowPlugins: true,
};

const FOLLOWING: ShareableSettings = {
  settings: { ...DEFAULT_SWEEP_SETTINGS, layouts: 'pairs' },
  tolerance: 0.002,
  toleranceMode: 'rel',
  allowPlugins: false,
};

/** What a patch read back from a following state holds: the knobs' by-hand values are not written. */
function withoutHandValues(s: ShareableSettings) {
  const { eps, decimals, ...rest } = s.settings;
  void eps;
  void decimals;
  return { ...s, settings: rest };
}

describe('settings in the URL hash', () => {
  it('serialises the documented form', () => {
    expect(
      settingsToHash({
        settings: DEFAULT_SWEEP_SETTINGS,
        tolerance: 1e-4,
        toleranceMode: 'abs',
        allowPlugins: false,
      }),
    ).toBe(
      'tol=0.0001&tm=abs&follow=eps%2Cd&gz=4&layout=both&codecs=' +
        encodeURIComponent(DEFAULT_SWEEP_SETTINGS.codecs.join(',')) +
        '&plugins=0',
    );
    expect(settingsToHash(BY_HAND)).toBe(
      'tol=0.001&tm=abs&follow=none&eps=0.0078&d=3&gz=9&layout=triangle&codecs=' +
        encodeURIComponent(BY_HAND.settings.codecs.join(',')) +
        '&plugins=1',
    );
  });

  it('round-trips, with or without #', () => {
    const hash = settingsToHash(BY_HAND);
    expect(parseSettingsHash(hash)).toEqual(BY_HAND);
    expect(parseSettingsHash(`#${hash}`)).toEqual(BY_HAND);
    expect(parseSettingsHash(settingsToHash(FOLLOWING))).toEqual(withoutHandValues(FOLLOWING));
    const tiny: ShareableSettings = {
      ...BY_HAND,
      settings: { ...BY_HAND.settings, eps: 1e-12 },
      tolerance: 0,
    };
    expect(parseSettingsHash(settingsToHash(tiny))).toEqual(tiny);
    // One knob by hand, the other following.
    const mixed: ShareableSettings = {
      ...FOLLOWING,
      settings: { ...FOLLOWING.settings, decimalsAuto: false, decimals: 0 },
    };
    const back = parseSettingsHash(settingsToHash(mixed));
    expect(back.settings).toMatchObject({ epsAuto: true, decimalsAuto: false, decimals: 0 });
    expect(back.settings.eps).toBeUndefined();
  });

  it('round-trips every combination of valid settings', () => {
    const arb = fc.record({
      settings: fc.record({
        decimals: fc.integer({ min: 0, max: 10 }),
        eps: fc.double({ min: 1e-12, max: 1e6, noNaN: true }),
        decimalsAuto: fc.boolean(),
        epsAuto: fc.boolean(),
        gzipLevel: fc.integer({ min: 1, max: 9 }),
        layouts: fc.constantFrom(...LAYOUT_CHOICES),
        codecs: fc.subarray(CODEC_PRESETS.map((p) => p.key)),
      }),
      tolerance: fc.oneof(fc.constant(0), fc.double({ min: 1e-15, max: 1e9, noNaN: true })),
      toleranceMode: fc.constantFrom('abs' as const, 'rel' as const),
      allowPlugins: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, (s) => {
        const fromHash = parseSettingsHash(settingsToHash(s));
        const fromJson = parseSettingsJson(settingsToJson(s));
        const expected = {
          ...s,
          settings: {
            ...s.settings,
            ...(s.settings.epsAuto ? { eps: undefined } : {}),
            ...(s.settings.decimalsAuto ? { decimals: undefined } : {}),
          },
        };
        for (const k of ['eps', 'decimals'] as const)
          if (expected.settings[k] === undefined) delete expected.settings[k];
        expect(fromHash).toEqual(expected);
        expect(fromJson).toEqual(expected);
      }),
    );
  });

  it('reads older links (no `follow`): ε and D keep following the tolerance', () => {
    const old = parseSettingsHash('#d=2&eps=0.001&gz=6&layout=full&codecs=lz4-quantized&tol=0.001');
    expect(old).toEqual({
      settings: {
        decimals: 2,
        eps: 0.001,
        decimalsAuto: true,
        epsAuto: true,
        gzipLevel: 6,
        layouts: 'full',
        codecs: ['lz4-quantized'],
      },
      tolerance: 0.001,
    });
    // The old `both` and `triangle` still mean what they meant.
    expect(parseSettingsHash('#layout=both').settings.layouts).toBe('both');
    expect(parseSettingsHash('#layout=triangle').settings.layouts).toBe('triangle');
    // A link naming only D leaves ε alone.
    expect(parseSettingsHash('#d=5').settings).toEqual({ decimals: 5, decimalsAuto: true });
  });

  it('an explicit `follow` decides: a knob it leaves out is set by hand', () => {
    expect(parseSettingsHash('#follow=d&eps=0.02&d=7').settings).toEqual({
      eps: 0.02,
      epsAuto: false,
      decimals: 7,
      decimalsAuto: true,
    });
    expect(parseSettingsHash('#follow=none').settings).toEqual({ epsAuto: false, decimalsAuto: false });
    expect(parseSettingsHash('#follow=').settings).toEqual({ epsAuto: false, decimalsAuto: false });
    expect(parseSettingsHash('#follow=eps,d').settings).toEqual({ epsAuto: true, decimalsAuto: true });
  });

  it('keeps known codec presets (in preset order) and drops unknown ones', () => {
    expect(parseSettingsHash('#codecs=zfp-rate-r16-float32,nope,lz4-quantized').settings.codecs).toEqual([
      'lz4-quantized',
      'zfp-rate-r16-float32',
    ]);
    expect(parseSettingsHash('#codecs=').settings.codecs).toEqual([]);
  });

  it('range-checks every value and drops the bad ones', () => {
    expect(
      parseSettingsHash('#d=11&eps=-1&gz=0&layout=diagonal&tol=abc&tm=percent&plugins=maybe&x=1'),
    ).toEqual({ settings: {} });
    expect(parseSettingsHash('#d=-1&eps=0&gz=10&tol=-0.5')).toEqual({ settings: {} });
    expect(parseSettingsHash('#d=2.5&eps=1e-3&gz=&layout=full')).toEqual({
      settings: { eps: 1e-3, epsAuto: true, layouts: 'full' },
    });
    expect(parseSettingsHash('#eps=Infinity&tol=NaN&d=')).toEqual({ settings: {} });
    expect(parseSettingsHash('#tol=Infinity')).toEqual({ settings: {} });
    for (const layout of LAYOUT_CHOICES)
      expect(parseSettingsHash(`#layout=${layout}`).settings.layouts).toBe(layout);
    expect(parseSettingsHash('#tm=rel&tol=0&plugins=1')).toEqual({
      settings: {},
      tolerance: 0,
      toleranceMode: 'rel',
      allowPlugins: true,
    });
    expect(parseSettingsHash('#plugins=0').allowPlugins).toBe(false);
    expect(isEmptyPatch(parseSettingsHash(''))).toBe(true);
    expect(isEmptyPatch(parseSettingsHash('#x=1'))).toBe(true);
    expect(isEmptyPatch(parseSettingsHash('#d=0'))).toBe(false);
    expect(isEmptyPatch(parseSettingsHash('#plugins=0'))).toBe(false);
    expect(isEmptyPatch(parseSettingsHash('#tm=rel'))).toBe(false);
    expect(parseSettingsHash('#d=0').settings.decimals).toBe(0);
    expect(parseSettingsHash('#gz=1').settings.gzipLevel).toBe(1);
    expect(parseSettingsHash('#gz=9').settings.gzipLevel).toBe(9);
  });
});

describe('settings as a JSON file', () => {
  it('round-trips', () => {
    const text = settingsToJson(BY_HAND);
    expect(JSON.parse(text)).toMatchObject({
      kind: 'h5squeeze-settings',
      app: { name: 'h5squeeze' },
      tolerance: 1e-3,
      toleranceMode: 'abs',
      epsAuto: false,
      eps: 7.8e-3,
      decimalsAuto: false,
      decimals: 3,
      allowPlugins: true,
    });
    expect(parseSettingsJson(text)).toEqual(BY_HAND);
    const following = JSON.parse(settingsToJson(FOLLOWING)) as Record<string, unknown>;
    expect(following).not.toHaveProperty('eps');
    expect(following).not.toHaveProperty('decimals');
    expect(parseSettingsJson(settingsToJson(FOLLOWING))).toEqual(withoutHandValues(FOLLOWING));
  });

  it('refuses files that are not settings, and ignores bad fields', () => {
    expect(() => parseSettingsJson('{nope')).toThrow(SettingsError);
    expect(() => parseSettingsJson('{"decimals": 3}')).toThrow(/not an h5squeeze settings file/);
    expect(() => parseSettingsJson('null')).toThrow(SettingsError);
    expect(
      parseSettingsJson(
        '{"kind":"h5squeeze-settings","decimals":"3","eps":0,"gzipLevel":12,"tolerance":0.5,"toleranceMode":"x","allowPlugins":"yes","layouts":"pairs"}',
      ),
    ).toEqual({ settings: { decimals: 3, decimalsAuto: true, layouts: 'pairs' }, tolerance: 0.5 });
    // An older file (no auto flags) keeps ε and D following.
    expect(
      parseSettingsJson('{"kind":"h5squeeze-settings","decimals":2,"eps":0.001,"tolerance":0.001}').settings,
    ).toMatchObject({ epsAuto: true, decimalsAuto: true, eps: 0.001, decimals: 2 });
  });
});

describe('what a patch says, for the notice', () => {
  it('names every setting it applies', () => {
    expect(describePatch(parseSettingsHash(settingsToHash(BY_HAND)))).toEqual([
      'tolerance 0.001 (absolute)',
      'ε set by hand: 0.0078',
      'D set by hand: 3',
      'gzip level 9',
      'layout triangle',
      '2 plugin codecs',
      'files that need hdf5plugin included',
    ]);
    expect(describePatch(parseSettingsHash('#tol=0.01&tm=rel&follow=eps,d&codecs=lz4-quantized'))).toEqual([
      'tolerance 0.01 × max|value|',
      'ε follows the tolerance',
      'D follows the tolerance',
      '1 plugin codec',
    ]);
    expect(describePatch({ settings: {} })).toEqual([]);
  });
});

describe('the tolerance field', () => {
  it('takes 0 and positive numbers, in any JS number form', () => {
    expect(parseToleranceText('0')).toEqual({ value: 0 });
    expect(parseToleranceText(' 0.0079 ')).toEqual({ value: 0.0079 });
    expect(parseToleranceText('1e-3')).toEqual({ value: 1e-3 });
    expect(parseToleranceText('.5')).toEqual({ value: 0.5 });
  });

  it('explains what is wrong with anything else', () => {
    expect(parseToleranceText('')).toEqual({ problem: expect.stringMatching(/Type a tolerance/) });
    expect(parseToleranceText('   ')).toEqual({ problem: expect.stringMatching(/Type a tolerance/) });
    expect(parseToleranceText('abc')).toEqual({ problem: expect.stringMatching(/“abc” is not a number/) });
    expect(parseToleranceText('1,5')).toEqual({ problem: expect.stringMatching(/not a number/) });
    expect(parseToleranceText('-0.01')).toEqual({ problem: expect.stringMatching(/can’t be negative/) });
    expect(parseToleranceText('Infinity')).toEqual({ problem: expect.stringMatching(/finite/) });
  });
});
