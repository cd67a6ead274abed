// The layout contract: how the loaded array's values are arranged in the stored `/data` dataset
// before any value encoding. A layout is plain data plus pure functions (runs in Node and workers).
// See docs/ARCHITECTURE.md ("Adding a layout") and docs/FILE-FORMAT.md (what a reader relies on).
import type { ErrorAccumulator } from '../core/metrics';
import type { NumberArray } from '../core/ndarray';
import type { AttrValue, ExtraDataset } from '../hdf5/types';
import type { InputFacts } from '../strategies/types';

export type LayoutId = 'full' | 'upper-triangle-rowmajor' | 'used-pairs' | 'used-pairs-pair-major';

export interface LayoutDef {
  id: LayoutId;
  /** Short name in tables and legends. */
  short: string;
  /** The layout's part of a file name (letters and dashes). */
  fileTag: string;
  /** One plain sentence for people. */
  description: string;
  /** Why the layout can't store this array, or null when it can. */
  problem(shape: readonly number[], facts: InputFacts | null): string | null;
  /** Whether the sweep offers it by default (it applies *and* it pays on this input). */
  pays(shape: readonly number[], facts: InputFacts): boolean;
  /**
   * True when stored rows along axis 0 are the loaded array's rows along axis 0 (one matrix each),
   * so the layout can be packed and verified slab by slab. False for layouts whose axis 0 is
   * something else (pair-major): those are packed and verified whole.
   */
  rowAligned: boolean;
  /** Only reorders another layout's values (same values, different order): run where order matters. */
  reorderOf?: LayoutId;
  /** Shape of the stored array for an input of `shape`. */
  storedShape(shape: readonly number[], facts: InputFacts): number[];
  /** Largest error the layout alone introduces (0 = exact; Infinity when it can't keep NaN/Inf). */
  layoutError(facts: InputFacts): number;
  /**
   * Stored values for rows of the input (`values`, C order, `shape` its own shape: a slab of whole
   * rows, or the whole array). Float input stays in its own float type; integers become float64.
   * May return `values` itself (no copy) when nothing changes.
   */
  pack(values: NumberArray, shape: readonly number[], facts: InputFacts): NumberArray;
  /**
   * Input rows [r0, r1) rebuilt from decoded stored values. For row-aligned layouts `stored` holds
   * exactly the stored rows [r0, r1); otherwise it is the whole decoded stored array.
   */
  unpack(
    stored: NumberArray,
    r0: number,
    r1: number,
    shape: readonly number[],
    facts: InputFacts,
  ): NumberArray;
  /**
   * Compares decoded stored rows with the input rows they stand for without rebuilding those, when
   * the layout can (the triangle of an exactly symmetric input: ErrorAccumulator.addSymmetric), and
   * returns true; false has them rebuilt by `unpack` and compared whole. Same rows as `unpack` gets.
   */
  compareStored?(
    acc: ErrorAccumulator,
    orig: NumberArray,
    stored: NumberArray,
    shape: readonly number[],
    facts: InputFacts,
  ): boolean;
  /** Attributes of `/data` that describe the layout (beside `layout` itself). */
  attrs(shape: readonly number[], facts: InputFacts): Record<string, AttrValue>;
  /** A plain .npy can hold it (nothing beyond the values is needed to undo the layout). */
  fitsNpy: boolean;
  /** Datasets beside `/data` a reader needs to undo the layout. */
  extraDatasets(shape: readonly number[], facts: InputFacts): ExtraDataset[];
  /** Python lines turning the decoded stored array `a` back into full matrices (see restore-python). */
  restorePython: string;
}
