import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from '@playwright/test';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export async function uploadFixture(page: Page, path: string): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(path);
}

/** Clicks what starts a download, saves the file into `dir` under its suggested name, returns the path. */
export async function saveDownload(page: Page, click: () => Promise<void>, dir: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = join(dir, download.suggestedFilename());
  await download.saveAs(path);
  return path;
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

/** A copy of the built app (dist/) served by a bare static server: no COOP/COEP, no CSP header. */
export async function serveDistCopy(): Promise<{ origin: string; root: string; close(): void }> {
  const root = mkdtempSync(join(tmpdir(), 'h5sq-static-'));
  cpSync(join(import.meta.dirname, '..', '..', 'dist'), root, { recursive: true });
  const port = await new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port: p } = srv.address() as { port: number };
      srv.close(() => resolve(p));
    });
  });
  const origin = `http://127.0.0.1:${port}`;
  const server = spawn('/usr/bin/python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], {
    cwd: root,
    stdio: 'ignore',
  });
  await expect
    .poll(() =>
      fetch(`${origin}/`).then(
        (r) => r.status,
        () => 0,
      ),
    )
    .toBe(200);
  return {
    origin,
    root,
    close() {
      server.kill();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * For a describe block: a copy of dist/ on a bare static server (no COOP/COEP, no CSP header, default
 * MIME types), started before its tests and stopped after them.
 */
export function useDistCopy(): () => { origin: string; root: string } {
  let site: Awaited<ReturnType<typeof serveDistCopy>> | undefined;
  test.beforeAll(async () => {
    site = await serveDistCopy();
  });
  test.afterAll(() => site?.close());
  return () => site!;
}
