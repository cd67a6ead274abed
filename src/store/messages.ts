// Plain-language messages for errors that reach the user (docs/ARCHITECTURE.md: shown at the top).
// Errors carry a code from core/errors.ts (ErrorCode), also after crossing from a worker. Most codes'
// messages already explain themselves in plain words (what is wrong and what to do), so the UI only
// says which file they are about; the codes whose messages come from a library or a bug get a next step.
import { errorCodeOf } from '../core/errors';
import type { ErrorCode } from '../core/errors';

/** What to do next, for codes whose own message is technical (a library's words, or a bug). */
const NEXT_STEP: Partial<Record<ErrorCode, string>> = {
  HDF5_INIT: 'The HDF5 engine could not start: reload the page, or try another browser.',
  HDF5_WRITE: 'Writing the HDF5 file failed inside the HDF5 engine; try another strategy or layout.',
  HDF5_READ: 'Reading the HDF5 file back failed inside the HDF5 engine; try another strategy or layout.',
  FILTER_REFUSED: 'The compression filter refused this data; try another codec.',
  PLUGIN_LOAD: 'The compression plugins could not be loaded: reload the page (they come with the app).',
  ZARR_READ: 'Reading the Zarr store back failed; try another strategy.',
  INTERNAL: 'Try again; if it persists, reload the page and report it with the file’s shape and dtype.',
};

/** The next step for an error's code, or null when its message already says what to do. */
export function nextStepFor(code: ErrorCode): string | null {
  return NEXT_STEP[code] ?? null;
}

export function describeError(e: unknown, source: string): string {
  const code = errorCodeOf(e);
  if (code === 'CANCELLED') return `Reading ${source} was cancelled.`;
  const message = e instanceof Error ? e.message : String(e);
  const next = nextStepFor(code);
  return `Could not read ${source}. ${message}${next ? ` ${next}` : ''}`;
}
