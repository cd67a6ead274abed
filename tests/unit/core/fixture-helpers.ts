// Loads the numpy-made fixtures of tests/fixtures (see make_fixtures.py) for the core's unit tests.
import { openAsBlob, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../fixtures', import.meta.url));

export function fixturePath(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export function fixtureBytes(...parts: string[]): Uint8Array<ArrayBuffer> {
  const b = readFileSync(fixturePath(...parts));
  // A fresh, exactly-sized buffer (Node's Buffer may sit at an odd offset of a shared pool).
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export function fixtureBlob(...parts: string[]): Promise<Blob> {
  return openAsBlob(fixturePath(...parts));
}

export function fixtureJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixturePath(...parts), 'utf8')) as T;
}

export function fixtureNames(dir: string, ext: string): string[] {
  return readdirSync(fixturePath(dir))
    .filter((f) => f.endsWith(ext))
    .sort();
}

/** Python float repr (or 'nan' / 'inf' / '-inf') to the exact JS number. */
export function pyFloat(s: string): number {
  if (s === 'nan') return NaN;
  if (s === 'inf') return Infinity;
  if (s === '-inf') return -Infinity;
  return Number(s);
}

/** Same value, treating NaN as equal to NaN and distinguishing -0 from +0. */
export function sameNumber(a: number, b: number): boolean {
  return Object.is(a, b);
}

export interface NpySidecar {
  dtype: string;
  shape: number[];
  fortranOrder: boolean;
  version: [number, number];
  values: (number | string)[];
  bits?: number[];
  analysis?: Record<string, string | number | null>;
}

/** A .npy file made from a header text (the way make_fixtures.py's header() does). */
export function npyWithHeader(
  text: string,
  data: Uint8Array = new Uint8Array(0),
  version: 1 | 2 | 3 = 1,
): Uint8Array {
  const body = version === 3 ? new TextEncoder().encode(text) : Uint8Array.from(text, (c) => c.charCodeAt(0));
  const lenBytes = version === 1 ? 2 : 4;
  const hlen = body.length + 1;
  const pad = 64 - ((8 + lenBytes + hlen) % 64);
  const out = new Uint8Array(8 + lenBytes + hlen + pad + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, hlen + pad, true);
  else dv.setUint32(8, hlen + pad, true);
  out.set(body, 8 + lenBytes);
  out.fill(0x20, 8 + lenBytes + body.length, 8 + lenBytes + hlen + pad - 1);
  out[8 + lenBytes + hlen + pad - 1] = 0x0a;
  out.set(data, 8 + lenBytes + hlen + pad);
  return out;
}
