import { describe, expect, it } from 'vitest';
import { getH5, requireH5, scratchPath } from '../../../src/hdf5/h5wasm-init';

describe('h5wasm initialisation', () => {
  it('requireH5 refuses to run before getH5 resolved', () => {
    expect(() => requireH5()).toThrow(/await getH5\(\) first/);
  });

  it('initialises once and shares one scratch directory per process', async () => {
    const [a, b] = await Promise.all([getH5(), getH5()]);
    expect(a).toBe(b);
    expect(requireH5()).toBe(a);
    expect(a.fs.analyzePath(a.scratchDir).exists).toBe(true);
    expect(a.scratchDir).toMatch(/^\/h5squeeze-/);
    const p1 = scratchPath(a, 'my file.npy');
    const p2 = scratchPath(a, 'my file.npy');
    expect(p1).not.toBe(p2);
    expect(p1.startsWith(`${a.scratchDir}/my_file.npy-`)).toBe(true);
    expect(p1.endsWith('.h5')).toBe(true);
  });
});
