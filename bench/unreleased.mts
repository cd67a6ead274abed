// Which big buffers does a sweep's job allocate and never free explicitly? Runs the seed sweep through
// the sweep worker's API in Node (real h5wasm) and records every typed array / ArrayBuffer of ≥ 2 MiB
// created with `new`, with its stack, until it is released (core/release.ts detaches it). Prints, per
// job, what is left: only the files the worker keeps for download should be. Usage:
//   npx tsx bench/unreleased.mts [--n 1000] [--m 141]
// (Node 20 has no ArrayBuffer.prototype.transfer; a stand-in records the release.)
const live = new Map<ArrayBuffer, string>();
(ArrayBuffer.prototype as unknown as { transfer: (n: number) => ArrayBuffer }).transfer = function (
  this: ArrayBuffer,
  n: number,
) {
  live.delete(this);
  return new ArrayBuffer(n);
};
const MIN_BYTES = 2 * 2 ** 20;
const CONSTRUCTORS = ['Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array'];
for (const name of [...CONSTRUCTORS, 'Float32Array', 'Float64Array', 'ArrayBuffer']) {
  const g = globalThis as unknown as Record<string, new (...a: unknown[]) => ArrayBufferView | ArrayBuffer>;
  g[name] = new Proxy(g[name]!, {
    construct(target, args, newTarget) {
      const made = Reflect.construct(target, args, newTarget) as ArrayBufferView | ArrayBuffer;
      const buf = (ArrayBuffer.isView(made) ? made.buffer : made) as ArrayBuffer;
      const over = args[0] instanceof ArrayBuffer || args[0] instanceof SharedArrayBuffer;
      if (!over && buf.byteLength >= MIN_BYTES && !live.has(buf))
        live.set(
          buf,
          (new Error().stack ?? '')
            .split('\n')
            .slice(2, 6)
            .map((s) => s.trim())
            .join(' < '),
        );
      return made;
    },
  });
}
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const { generateNotebookArray } = await import('../src/core/generator');
const { analyzeArray } = await import('../src/core/analysis');
const { factsOf } = await import('../src/workers/load');
const { buildSweep, DEFAULT_SWEEP_SETTINGS } = await import('../src/strategies/sweep');
const { api } = await import('../src/workers/sweep-api');
const array = generateNotebookArray({ n: arg('n', 1000), m: arg('m', 141), seed: 0 });
const facts = factsOf(array, analyzeArray(array));
const buffer = array.data.buffer as ArrayBuffer;
api.setInput({ inputId: 1, name: 'x.npy', dtype: array.dtype, shape: [...array.shape], buffer, facts });
live.clear();
const ctx = { progress: () => {}, transfer: () => {} };
const MiB = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
for (const spec of buildSweep({ shape: array.shape, facts }, DEFAULT_SWEEP_SETTINGS, 1e-4)) {
  const before = new Set(live.keys());
  const { held } = await api.runJob({ inputId: 1, spec }, ctx);
  const left = [...live].filter(([b]) => !before.has(b) && b.byteLength > 0);
  const total = left.reduce((n, [b]) => n + b.byteLength, 0);
  console.log(
    `${spec.strategyId}:${spec.layout}  left ${MiB(total)} in ${left.length}${held ? ' (file kept)' : ''}`,
  );
  for (const [b, stack] of left) console.log(`    ${MiB(b.byteLength)}  ${stack}`);
  for (const [b] of left) live.delete(b);
}
