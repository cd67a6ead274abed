// The worker warm-up: the default sweep on a small generated stack, run for real (h5wasm in Node),
// leaving nothing behind, and giving way at once when real work comes.
import { describe, expect, it } from 'vitest';
import { warmUpJobs } from '../../../src/workers/warm-up';
import { getH5 } from '../../../src/hdf5/h5wasm-init';
import { recycledBytes } from '../../../src/core/release';

describe('warmUpJobs', () => {
  it('runs every job of the default sweep on its stack and leaves no file behind', async () => {
    const env = await getH5();
    const filesBefore = env.fs.readdir(env.scratchDir).length;
    const ran = await warmUpJobs(() => false);
    // Both layouts: the casts, scaleoffset, the quantizer with scaleoffset, .npy and native HDF5.
    expect(ran).toBeGreaterThanOrEqual(10);
    expect(env.fs.readdir(env.scratchDir).length).toBe(filesBefore);
    expect(recycledBytes()).toBe(0);
  });

  it('stops before its next job once real work has come', async () => {
    let checks = 0;
    const ran = await warmUpJobs(() => ++checks > 2);
    expect(ran).toBe(2);
  });
});
