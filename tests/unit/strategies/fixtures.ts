// Loads numpy-made fixtures (tests/fixtures/make_fixtures.py) into the shapes the job runner takes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy } from '../../../src/core/npy';
import { analyzeArray } from '../../../src/core/analysis';
import type { JobInput } from '../../../src/workers/job';
import { factsOf } from '../../../src/workers/load';

export const FIXTURE_DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'npy');

export async function loadFixture(name: string): Promise<JobInput> {
  const bytes = new Uint8Array(readFileSync(join(FIXTURE_DIR, name)));
  const array = await readNpy(bytes);
  return { name, array, facts: factsOf(array, analyzeArray(array)) };
}
