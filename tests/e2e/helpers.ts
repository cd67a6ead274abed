import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect } from '@playwright/test';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export async function uploadFixture(page: Page, path: string): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(path);
}

export async function waitForSweepDone(page: Page, timeout = 90_000): Promise<void> {
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-state', 'done', { timeout });
}

/** Runs the contract-only Python restore (tests/interop/restore.py) against the original .npy. */
export function pythonRestore(original: string, file: string): { maxAbsError: number | null; dtype: string } {
  const out = execFileSync(
    '/usr/bin/python3',
    [join(import.meta.dirname, '..', 'interop', 'restore.py'), original, file],
    {
      encoding: 'utf8',
    },
  );
  return JSON.parse(out) as { maxAbsError: number | null; dtype: string };
}

/** Row facts as the table exposes them through data-* attributes. */
export async function rowFacts(
  page: Page,
): Promise<Map<string, { bytes: number; err: number; status: string }>> {
  const rows = await page.getByTestId('result-row').evaluateAll((els) =>
    els.map((el) => ({
      id: el.getAttribute('data-strategy-id') ?? '',
      bytes: Number(el.getAttribute('data-bytes')),
      err: Number(el.getAttribute('data-max-abs-error')),
      status: el.getAttribute('data-status') ?? '',
    })),
  );
  return new Map(rows.map((r) => [r.id, { bytes: r.bytes, err: r.err, status: r.status }]));
}
