// Plain-language messages for errors that reach the user (docs/ARCHITECTURE.md: shown at the top).
// Core errors already explain themselves in plain words (what is wrong and what to do), so the UI
// only says which file they are about.

export function describeError(e: unknown, source: string): string {
  const message = e instanceof Error ? e.message : String(e);
  return `Could not read ${source}. ${message}`;
}
