// The one list of layouts. Adding a layout = one file + one line here.
import type { LayoutDef, LayoutId } from './types';
import { fullLayout } from './full';
import { triangleLayout } from './triangle';
import { usedPairsLayout, usedPairsPairMajorLayout } from './used-pairs';

export const LAYOUTS = {
  full: fullLayout,
  'upper-triangle-rowmajor': triangleLayout,
  'used-pairs': usedPairsLayout,
  'used-pairs-pair-major': usedPairsPairMajorLayout,
} satisfies Record<LayoutId, LayoutDef>;

export function layoutOf(id: LayoutId): LayoutDef {
  return LAYOUTS[id];
}

export const LAYOUT_IDS = Object.keys(LAYOUTS) as LayoutId[];
