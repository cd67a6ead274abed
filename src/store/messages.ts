// Plain-language messages for errors that reach the user (STYLE.md convention 9: shown at the top).

const CODE_HINTS: Record<string, string> = {
  NPY_BAD_MAGIC: 'It is not a .npy file.',
  NPY_BAD_VERSION: 'It uses a .npy format version this app does not know.',
  NPY_BAD_HEADER: 'Its .npy header is damaged.',
  NPY_TRUNCATED: 'The file is shorter than its header says — it was probably cut off while copying.',
  NPY_UNSUPPORTED_DTYPE: 'Its data type is not a plain number type.',
  NPY_TOO_LARGE: 'It is larger than this browser tab can hold.',
  EMPTY_FILE: 'The file is empty (0 bytes).',
  BAD_SHAPE: 'Its shape cannot be used.',
};

export function describeError(e: unknown, source: string): string {
  const code = (e as { code?: string } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  const hint = code ? CODE_HINTS[code] : undefined;
  return hint ? `Could not read ${source}. ${hint} (${message})` : `Could not read ${source}: ${message}`;
}
