// The histogram's own axis arithmetic: count ticks and which bin labels fit.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countTicks, histogramBars, visibleLabels } from '../../../src/ui/QualityHistogram';

describe('countTicks', () => {
  it('starts at 0, steps evenly by a whole 1-2-5 step, and ends at or past the largest count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2e9 }), (max) => {
        const t = countTicks(max);
        expect(t[0]).toBe(0);
        expect(t[t.length - 1]).toBeGreaterThanOrEqual(max);
        const step = t[1]! - t[0]!;
        expect(Number.isInteger(step)).toBe(true);
        expect(step).toBeGreaterThan(0);
        for (let i = 1; i < t.length; i++) expect(t[i]! - t[i - 1]!).toBe(step);
        // Not more than one step past the largest count, and a handful of ticks.
        expect(t[t.length - 2]!).toBeLessThan(max);
        expect(t.length).toBeLessThanOrEqual(7);
        expect([1, 2, 2.5, 5]).toContain(step / 10 ** Math.floor(Math.log10(step)));
      }),
    );
  });

  it('gives a 0–1 axis when every count is 0', () => {
    expect(countTicks(0)).toEqual([0, 1]);
  });

  it('matches the steps a person would pick', () => {
    expect(countTicks(14525)).toEqual([0, 5000, 10000, 15000]);
    expect(countTicks(6)).toEqual([0, 2, 4, 6]);
  });
});

describe('visibleLabels', () => {
  it('keeps the first and the last, and no two kept labels overlap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 4, max: 80 }),
        fc.array(fc.integer({ min: 6, max: 60 }), { minLength: 40, maxLength: 40 }),
        (n, slot, w) => {
          const centres = Array.from({ length: n }, (_, i) => (i + 0.5) * slot);
          const widths = w.slice(0, n);
          const keep = visibleLabels(centres, widths);
          expect(keep[0]).toBe(true);
          expect(keep[n - 1]).toBe(true);
          const kept = keep.flatMap((k, i) => (k ? [i] : []));
          for (let j = 1; j < kept.length - 1; j++) {
            const [a, b] = [kept[j - 1]!, kept[j]!];
            expect(centres[b]! - widths[b]! / 2).toBeGreaterThanOrEqual(centres[a]! + widths[a]! / 2);
          }
        },
      ),
    );
  });

  it('keeps every label when all fit', () => {
    expect(visibleLabels([10, 50, 90], [20, 20, 20])).toEqual([true, true, true]);
  });

  it('drops the middle ones that would touch a neighbour', () => {
    expect(visibleLabels([10, 25, 45, 70], [18, 18, 18, 18])).toEqual([true, false, true, true]);
    expect(visibleLabels([10, 20, 30, 40], [18, 18, 18, 18])).toEqual([true, false, false, true]);
  });
});

describe('histogramBars', () => {
  it('puts exact values first and NaN/Inf last, with each bin’s range', () => {
    const bars = histogramBars({
      zero: 5,
      nonFinite: 2,
      bins: [
        { lo: 0, hi: 1e-9, count: 1 },
        { lo: 1e-9, hi: 3e-9, count: 3 },
      ],
    } as never);
    expect(bars.map((b) => [b.label, b.range, b.count, b.kind])).toEqual([
      ['0', 'exactly 0', 5, 'zero'],
      ['0', 'below 1e-9', 1, 'bin'],
      ['1e-9', '1e-9 – 3e-9', 3, 'bin'],
      ['∞', 'NaN/Inf not kept', 2, 'inf'],
    ]);
  });
});
