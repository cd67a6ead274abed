// The sweep's orchestration, as one object with its dependencies passed in: which rows (re)run for the
// current input, settings and tolerance, their cancellation when they leave the sweep, results reused
// from the cache by spec key, row updates batched into the store, and the entropy floor request. The
// pool and the store are interfaces, so tests drive it with a fake pool and no browser.
import type { RowState, State } from './store';
import type { StrategyResult } from '../workers/job';
import type { Layout, StrategySpec } from '../strategies/types';
import { buildSweep, resultIdOf, specKeyOf } from '../strategies/sweep';
import { layoutOf } from '../layouts/registry';
import { absTolerance, factsOfInput } from './selectors';
import { errorCodeOf } from '../core/errors';
import { flushDelay } from './batching';

/** What the controller needs of the worker pool (workers/client.ts SweepPool has it). */
export interface JobPool {
  run(
    spec: StrategySpec,
    opts: { signal?: AbortSignal; onProgress?: (f: number) => void },
  ): Promise<{ result: StrategyResult }>;
  call(
    method: 'floor',
    arg: { layouts: Layout[]; eps: number },
    opts: { signal?: AbortSignal },
  ): Promise<{ bytes: number; layout: Layout } | null>;
}

/** What the controller needs of the store. */
export interface StoreAccess {
  get(): State;
  set(patch: Partial<State> | ((s: State) => Partial<State>)): void;
}

/** Results by spec key, kept across re-runs of the same input (files stay with the workers). */
export interface ResultCache {
  get(specKey: string): StrategyResult | undefined;
  put(specKey: string, result: StrategyResult): void;
}

export interface ControllerOptions {
  /** Row updates are applied together at most once per this many ms (default 100). */
  flushMs?: number;
  /** Tells whether an error means "this strategy can't run here" (a skipped row, not a failure). */
  isAbort(e: unknown): boolean;
}

/**
 * A rough rank of a job's cost (measured in the benchmark: gzip, the plugin coders and Zarr's zlib
 * dominate). The input's own .npy goes first: it is checked against its own bytes (no file built,
 * ~0.1 s for 159 MB), so the baseline every other row is compared with is on screen right after
 * loading.
 *
 * The jobs right after it meet cold workers (code not yet optimised, heaps not yet grown) while the
 * renderer's background threads, V8's compilers among them, take 1.6–1.8 s of CPU over the sweep on
 * the same two cores. The casts are the cheapest jobs, so that start cost weighed most on them: in
 * the seed bench float16 on the triangle took 0.53–0.64 s run first and 0.32–0.34 s run after the
 * scaleoffset rows. Scaleoffset and its quantized twin (~0.6 s) run first, the casts right after.
 */
export function jobCostRank(spec: StrategySpec): number {
  if (spec.strategyId === 'npy' && spec.layout === 'full') return 0;
  const codec = spec.params.codec;
  const kind =
    spec.strategyId === 'hdf5-gzip' || codec === 'gzip' || codec === 'shuffle-gzip'
      ? 5
      : spec.strategyId === 'hdf5-codec' || spec.strategyId === 'zarr'
        ? 4
        : spec.strategyId === 'npy' || spec.strategyId === 'hdf5-native'
          ? 3
          : spec.strategyId === 'hdf5-float32' || spec.strategyId === 'hdf5-float16'
            ? 2
            : 1;
  // Cheap layouts first within a kind (the chart fills in sooner), except for the slowest kind, which
  // ends the sweep: there the full layout's (longest) jobs start first, so the two workers finish
  // closer together.
  const fullFirst = kind === 5;
  return kind * 2 + Number((spec.layout === 'full') !== fullFirst);
}

export class SweepController {
  private readonly pending = new Map<string, { specKey: string; patch: Partial<RowState> }>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private lastFlushAt: number | null = null;
  private readonly rowAborts = new Map<string, AbortController>();
  private floorAbort: AbortController | null = null;
  private readonly floorCache = new Map<string, State['floor']>();
  private readonly flushMs: number;

  constructor(
    private readonly pool: () => JobPool,
    private readonly store: StoreAccess,
    private readonly cache: ResultCache,
    private readonly opts: ControllerOptions,
  ) {
    this.flushMs = opts.flushMs ?? 100;
  }

  /** A new input: every running row stops, nothing pending is applied, the floor cache empties. */
  reset(): void {
    for (const c of this.rowAborts.values()) c.abort();
    this.rowAborts.clear();
    this.pending.clear();
    this.floorAbort?.abort();
    this.floorCache.clear();
  }

  /** (Re)runs the sweep for the current settings; rows whose spec did not change keep their result. */
  run(): void {
    const state = this.store.get();
    const { input, settings, rows } = state;
    if (!input) return;
    const specs = buildSweep(
      { shape: input.shape, facts: factsOfInput(input) },
      settings,
      absTolerance(state),
    );
    const ids = specs.map(resultIdOf);
    const nextRows: Record<string, RowState> = {};
    const changed: StrategySpec[] = [];
    specs.forEach((spec, i) => {
      const id = ids[i]!;
      const key = specKeyOf(spec);
      const old = rows[id];
      if (old && old.specKey === key && old.status !== 'failed') nextRows[id] = old;
      else {
        nextRows[id] = { id, spec, specKey: key, status: 'queued', progress: 0 };
        changed.push(spec);
      }
    });
    // Rows that left the sweep (layout toggled off) stop working; changed ones restart in startRow.
    for (const [id, ctrl] of this.rowAborts) if (!nextRows[id]) ctrl.abort();
    this.store.set({ rows: nextRows, rowOrder: ids, sweepStatus: 'running' });
    // Cheap jobs first, so the chart fills in quickly; the slow entropy coders run last.
    const byCost = [...changed].sort((a, b) => jobCostRank(a) - jobCostRank(b));
    for (const spec of byCost) this.startRow(spec, input.inputId);
    this.updateStatus();
    this.requestFloor(input.inputId, specs);
  }

  /** Applies queued row updates now (tests; the timer does it otherwise). */
  flush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.lastFlushAt = performance.now();
    if (this.pending.size > 0) {
      const patches = [...this.pending];
      this.pending.clear();
      this.store.set((s) => {
        const rows = { ...s.rows };
        for (const [id, { specKey, patch }] of patches) {
          const row = rows[id];
          if (row && row.specKey === specKey) rows[id] = { ...row, ...patch };
        }
        return { rows };
      });
    }
    this.updateStatus();
  }

  /**
   * Row updates arrive as separate tasks; they are queued and applied together: the first after a
   * quiet spell at once, then at most once per flushMs.
   */
  private patchRow(id: string, specKey: string, patch: Partial<RowState>): void {
    const prev = this.pending.get(id);
    this.pending.set(id, {
      specKey,
      patch: prev && prev.specKey === specKey ? { ...prev.patch, ...patch } : patch,
    });
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(
      () => this.flush(),
      flushDelay(performance.now(), this.lastFlushAt, this.flushMs),
    );
  }

  private updateStatus(): void {
    const { rows, rowOrder, sweepStatus } = this.store.get();
    if (rowOrder.length === 0) return;
    const busy = rowOrder.some((id) => rows[id]?.status === 'queued' || rows[id]?.status === 'running');
    const next: State['sweepStatus'] = busy ? 'running' : 'done';
    if (next !== sweepStatus) this.store.set({ sweepStatus: next });
  }

  private startRow(spec: StrategySpec, inputId: number): void {
    const id = resultIdOf(spec);
    const key = specKeyOf(spec);
    this.rowAborts.get(id)?.abort();
    const hit = this.cache.get(key);
    if (hit) {
      this.patchRow(id, key, { spec, status: 'done', progress: 1, result: hit, reason: undefined });
      return;
    }
    const ctrl = new AbortController();
    this.rowAborts.set(id, ctrl);
    let lastProgress = -1;
    this.patchRow(id, key, { spec, status: 'queued', progress: 0, result: undefined, reason: undefined });
    const stale = () => ctrl.signal.aborted || this.store.get().input?.inputId !== inputId;
    this.pool()
      .run(spec, {
        signal: ctrl.signal,
        onProgress: (f) => {
          // Re-render the table for visible steps only (every 10 %), not for every slab.
          if (ctrl.signal.aborted || (f - lastProgress < 0.1 && f < 1)) return;
          lastProgress = f;
          this.patchRow(id, key, { status: 'running', progress: f });
        },
      })
      .then(
        ({ result }) => {
          if (stale()) return;
          this.cache.put(key, result);
          this.patchRow(id, key, { status: 'done', progress: 1, result });
        },
        (e: unknown) => {
          if (stale() || this.opts.isAbort(e)) return;
          this.patchRow(id, key, {
            status: errorCodeOf(e) === 'UNSUPPORTED' ? 'skipped' : 'failed',
            progress: 1,
            reason: e instanceof Error ? e.message : String(e),
          });
        },
      )
      .finally(() => {
        if (this.rowAborts.get(id) === ctrl) this.rowAborts.delete(id);
        this.scheduleFlush();
      });
  }

  /** The entropy floor at the ε the quantized rows run with (one cheap pass in a worker), for the chart. */
  private requestFloor(inputId: number, specs: readonly StrategySpec[]): void {
    const quantized = specs.filter((s) => s.strategyId === 'hdf5-quantized');
    const eps = quantized[0]?.params.eps;
    const layouts = [...new Set(quantized.map((s) => s.layout))].filter((l) => !layoutOf(l).reorderOf);
    this.floorAbort?.abort();
    if (typeof eps !== 'number' || layouts.length === 0) {
      if (this.store.get().floor !== null) this.store.set({ floor: null });
      return;
    }
    const key = `${inputId}|${eps}|${layouts.join(',')}`;
    if (this.floorCache.has(key)) return this.store.set({ floor: this.floorCache.get(key) ?? null });
    const ctrl = new AbortController();
    this.floorAbort = ctrl;
    this.pool()
      .call('floor', { layouts, eps }, { signal: ctrl.signal })
      .then(
        (r) => {
          const floor = r ? { tau: eps, bytes: r.bytes, layout: r.layout } : null;
          this.floorCache.set(key, floor);
          if (!ctrl.signal.aborted && this.store.get().input?.inputId === inputId) this.store.set({ floor });
        },
        () => {
          // The floor is a guide line on the chart; without it the results still stand.
        },
      );
  }
}
