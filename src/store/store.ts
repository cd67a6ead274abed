// One zustand store of small serialisable facts (docs/ARCHITECTURE.md). Typed arrays, file bytes
// and the worker pool live outside it (result-cache.ts, the sweep workers, actions.ts).
import { create } from 'zustand';
import type { ArraySummary } from '../core/analysis';
import type { DTypeCode } from '../core/ndarray';
import type { StrategyResult } from '../workers/job';
import type { StrategySpec } from '../strategies/types';
import type { SweepSettings } from '../strategies/sweep';
import { DEFAULT_SWEEP_SETTINGS, DEFAULT_TOLERANCE } from '../strategies/sweep';

export type RowStatus = 'queued' | 'running' | 'done' | 'failed' | 'skipped';

export interface RowState {
  id: string;
  spec: StrategySpec;
  specKey: string;
  status: RowStatus;
  progress: number;
  result?: StrategyResult;
  /** Why the row failed or was skipped (plain language). */
  reason?: string;
}

export interface InputInfo {
  inputId: number;
  name: string;
  dtype: DTypeCode;
  sourceDescr: string;
  fortranOrder: boolean;
  shape: number[];
  bytes: number;
  summary: ArraySummary;
  /** Set when the sweep runs on a sample of a big file (`shape` is then the sample's shape). */
  sample: { rows: number; totalRows: number; fullShape: number[]; fullBytes: number } | null;
}

/** The one streamed run of a chosen strategy on the whole big file. */
export interface FullRunState {
  rowId: string;
  specKey: string;
  status: 'running' | 'done' | 'failed';
  progress: number;
  startedAt: number;
  result?: StrategyResult;
  reason?: string;
}

export type LoadStatus = 'empty' | 'loading' | 'ready';
export type SweepStatus = 'idle' | 'running' | 'done' | 'error';

export interface State {
  loadStatus: LoadStatus;
  loadProgress: number;
  loadingName: string | null;
  input: InputInfo | null;
  errorMessage: string | null;
  settings: SweepSettings;
  /**
   * Largest max-abs error the user accepts, as typed: absolute, or with `toleranceMode` 'rel' a
   * fraction of the largest |value|. It drives every error-bounded strategy and the recommendation.
   */
  tolerance: number;
  toleranceMode: 'abs' | 'rel';
  /** Whether the recommendation may pick files that need hdf5plugin to open. */
  allowPlugins: boolean;
  /**
   * The zeroth-order entropy of the quantized values at the current tolerance, in bytes, for the
   * best layout: no coder of independent values gets below it. null until measured (or τ = 0).
   */
  floor: { tau: number; bytes: number; layout: string } | null;
  sweepStatus: SweepStatus;
  rowOrder: string[];
  rows: Record<string, RowState>;
  selectedId: string | null;
  fullRun: FullRunState | null;
  /** Name of a big file being rebuilt for download, if any. */
  preparingDownload: string | null;
}

export const initialState: State = {
  loadStatus: 'empty',
  loadProgress: 0,
  loadingName: null,
  input: null,
  errorMessage: null,
  settings: DEFAULT_SWEEP_SETTINGS,
  tolerance: DEFAULT_TOLERANCE.value,
  toleranceMode: DEFAULT_TOLERANCE.mode,
  allowPlugins: false,
  floor: null,
  sweepStatus: 'idle',
  rowOrder: [],
  rows: {},
  selectedId: null,
  fullRun: null,
  preparingDownload: null,
};

export const useStore = create<State>()(() => initialState);

export const setState = useStore.setState;
export const getState = useStore.getState;
