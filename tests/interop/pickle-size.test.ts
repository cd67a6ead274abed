// The npy row's label says what the notebook's pickle row would weigh: the same values with a few
// dozen bytes more framing than .npy's header. Measured here with real numpy + pickle, so the label
// stays true.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { writeNpy } from '../../src/core/npy';
import { FIXTURE_DIR, loadFixture } from '../unit/strategies/fixtures';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';
const MISSING = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' }).status !== 0;
if (MISSING && process.env.CI !== 'true') console.warn('[interop] skipping pickle size check: no numpy');

describe.skipIf(MISSING && process.env.CI !== 'true')('pickle vs .npy size', () => {
  it.each(['stack_sym_f8.npy', 'f8_1d.npy', 'stack_sym_f4.npy'])(
    '%s: pickle.dumps is the .npy size plus 0–64 B',
    async (name) => {
      const npyBytes = writeNpy((await loadFixture(name)).array).byteLength;
      const py = spawnSync(
        PYTHON,
        [
          '-c',
          'import sys, pickle, numpy as np; print(len(pickle.dumps(np.load(sys.argv[1]))))',
          join(FIXTURE_DIR, name),
        ],
        { encoding: 'utf8' },
      );
      expect(py.status, py.stderr).toBe(0);
      const extra = Number(py.stdout) - npyBytes;
      expect(extra).toBeGreaterThanOrEqual(0);
      expect(extra).toBeLessThanOrEqual(64);
    },
  );
});
