import type { StrategyKind } from '../strategies/types';

/** One colour per strategy kind, readable on light and dark backgrounds. */
export const KIND_COLORS: Record<StrategyKind, string> = {
  baseline: '#8a8f98',
  cast: '#e0892b',
  lossless: '#3b82f6',
  scaleoffset: '#a855f7',
  quantized: '#16a34a',
  plugin: '#0d9488',
};

export const KIND_LABELS: Record<StrategyKind, string> = {
  baseline: 'baseline',
  cast: 'float cast',
  lossless: 'lossless compression',
  scaleoffset: 'scaleoffset',
  quantized: 'quantized ε',
  plugin: 'plugin codec',
};
