// Small text helpers shared by the code that writes Python snippets and scripts.

/** Indents every non-empty line by `spaces` (a Python fragment placed inside a block). */
export function indent(code: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return code
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}
