// Layout `full`: the array as loaded, in C order. Exact; every shape.
import type { LayoutDef } from './types';

export const fullLayout: LayoutDef = {
  id: 'full',
  short: 'full',
  fileTag: 'full',
  description: 'The array as loaded, every value in its place.',
  problem: () => null,
  pays: () => true,
  rowAligned: true,
  storedShape: (shape) => [...shape],
  layoutError: () => 0,
  pack: (values) => values,
  unpack: (stored) => stored,
  attrs: () => ({}),
  fitsNpy: true,
  extraDatasets: () => [],
  restorePython: '',
};
