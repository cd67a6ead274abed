// The Python recipe generator: every strategy × layout gets a script, assembled from the real .py files
// under src/strategies/recipe/. Python's own compiler checks each file and each assembled script (and
// every global name a script uses must be defined in it); the quantization mirror gives the app's plan
// and codes double for double. The interop test (tests/interop/recipe.test.ts) runs the scripts.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  RECIPE_PY_FILES,
  recipeFileName,
  recipeScript,
  RecipeUnsupportedError,
} from '../../../src/strategies/recipe';
import { STRATEGIES, strategyOf } from '../../../src/strategies/registry';
import { buildSweep, canonicalParams, DEFAULT_SWEEP_SETTINGS } from '../../../src/strategies/sweep';
import type { LayoutValues, StrategyId, StrategySpec } from '../../../src/strategies/types';
import { restorePythonSnippet } from '../../../src/strategies/restore-python';
import { LAYOUT_IDS } from '../../../src/layouts/registry';
import { analyzeArray } from '../../../src/core/analysis';
import { factsOf } from '../../../src/workers/load';
import { quantizationPlanFor } from '../../../src/strategies/quantized-values';
import { quantize, valueSampleOf } from '../../../src/core/quantize';
import { shuffleRowChunks } from '../../../src/strategies/common';
import type { DTypeCode } from '../../../src/core/ndarray';

const INPUTS = { inputName: 'shap.npy', outputName: 'shap-hdf5-gzip-full.h5' };
const PYTHON = '/usr/bin/python3';
const RECIPE_DIR = join(import.meta.dirname, '..', '..', '..', 'src', 'strategies', 'recipe');
const ON_CI = process.env.CI === 'true';
const NO_PYTHON = (() => {
  const r = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
  return r.error || r.status !== 0 ? `${PYTHON} with numpy is not available` : null;
})();
if (NO_PYTHON && !ON_CI) console.warn(`[recipe] skipping the Python checks: ${NO_PYTHON}`);

/** A 10 × 6 × 6 symmetric stack where features 2 and 4 are never used: every layout applies. */
function shapLikeInput() {
  const m = 6;
  const data = new Float64Array(10 * m * m);
  for (let n = 0; n < 10; n++)
    for (let i = 0; i < m; i++)
      for (let j = i; j < m; j++) {
        const v = i === 2 || i === 4 || j === 2 || j === 4 ? 0 : Math.sin(n * 7 + i * 3 + j) / (1 + i + j);
        data[n * m * m + i * m + j] = v;
        data[n * m * m + j * m + i] = v;
      }
  const array = { dtype: 'f8' as const, shape: [10, m, m], data };
  return { shape: array.shape, facts: factsOf(array, analyzeArray(array)) };
}

/** The containers a numpy + h5py script writes: .npy and HDF5 (other containers have no recipe). */
const RECIPE_CONTAINERS: readonly string[] = ['numpy', 'h5py', 'h5py+hdf5plugin'];
const hasRecipe = (spec: StrategySpec) =>
  RECIPE_CONTAINERS.includes(strategyOf(spec.strategyId).readableBy(canonicalParams(spec)));

/** Every spec of a sweep on every layout, τ-driven and with ε and D set by hand. */
function sweepSpecs(): StrategySpec[] {
  const input = shapLikeInput();
  const all = { ...DEFAULT_SWEEP_SETTINGS, layouts: 'all' as const };
  return [
    ...buildSweep(input, all, 1e-4),
    ...buildSweep(input, { ...all, decimalsAuto: false, decimals: 2, epsAuto: false, eps: 7.8e-3 }, 1e-2),
  ];
}

/** The sweep specs the recipe covers: every .npy and HDF5 one. */
function allSpecs(): StrategySpec[] {
  return sweepSpecs().filter(hasRecipe);
}

/** Runs a Python program with `input` on stdin; returns its JSON output. */
function python<T>(program: string, input: unknown): T {
  const r = spawnSync(PYTHON, ['-c', program], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/**
 * compile() for each source; for whole scripts also the global names used in any scope but defined
 * nowhere in the script (nor builtins), and top-level functions defined twice (a module shadowing
 * another's).
 */
const CHECK_PY = String.raw`
import ast, builtins, json, symtable, sys
out = {}
for name, (src, whole) in json.load(sys.stdin).items():
    try:
        compile(src, name, "exec", dont_inherit=True)
    except SyntaxError as e:
        out[name] = {"error": "%s at line %s: %s" % (e.msg, e.lineno, e.text)}
        continue
    res = {"error": None}
    if whole:
        top = symtable.symtable(src, name, "exec")
        defined = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported() or s.is_namespace()}
        used = set()
        def walk(t):
            for s in t.get_symbols():
                if s.is_referenced() and (t.get_type() == "module" or s.is_global()):
                    used.add(s.get_name())
            for c in t.get_children():
                walk(c)
        walk(top)
        res["undefined"] = sorted(used - defined - set(dir(builtins)))
        defs = [n.name for n in ast.parse(src).body if isinstance(n, ast.FunctionDef)]
        res["twice"] = sorted({d for d in defs if defs.count(d) > 1})
    out[name] = res
print(json.dumps(out))
`;

describe('recipeScript', () => {
  it('writes a script for every registry strategy and every layout', () => {
    const specs = allSpecs();
    // Every strategy that writes .npy or HDF5, in every layout.
    const covered = (Object.keys(STRATEGIES) as StrategyId[]).filter((id) =>
      sweepSpecs().some((s) => s.strategyId === id && hasRecipe(s)),
    );
    expect(new Set(specs.map((s) => s.strategyId))).toEqual(new Set(covered));
    expect(covered).toEqual(expect.arrayContaining(['npy', 'hdf5-quantized', 'hdf5-codec', 'hdf5-gzip']));
    expect(new Set(specs.map((s) => s.layout))).toEqual(new Set(LAYOUT_IDS));
    // Other containers get a clear refusal, not a wrong script.
    for (const spec of sweepSpecs().filter((s) => !hasRecipe(s)))
      expect(() => recipeScript(spec, INPUTS)).toThrow(RecipeUnsupportedError);
    for (const spec of specs) {
      const script = recipeScript(spec, INPUTS);
      const def = strategyOf(spec.strategyId);
      const params = { ...def.defaults, ...spec.params };
      const where = `${spec.strategyId} ${spec.layout}`;
      expect(script, where).toContain(`STRATEGY_ID = "${spec.strategyId}"`);
      expect(script).toContain(`LAYOUT = "${spec.layout}"`);
      // The strategy attribute is the runner's JSON, byte for byte.
      expect(script).toContain(
        JSON.stringify(
          JSON.stringify({ id: spec.strategyId, layout: spec.layout, params: canonicalParams(spec) }),
        ),
      );
      const plugin = def.readableBy(params) === 'h5py+hdf5plugin';
      expect(script.includes('\nimport hdf5plugin'), where).toBe(plugin);
      expect(script.includes('\nimport h5py'), where).toBe(def.readableBy(params) !== 'numpy');
      // The restore snippet the app stores for this file (its layout's fragment included).
      expect(script, where).toContain(
        JSON.stringify(restorePythonSnippet(INPUTS.outputName, { hdf5plugin: plugin, layout: spec.layout })),
      );
      expect(script).toContain('np.load(src, mmap_mode="r")');
      const pairs = spec.layout.startsWith('used-pairs');
      expect(script.includes('PAIR_MAJOR = LAYOUT =='), where).toBe(pairs);
      expect(script.includes('def mirror_pairs('), where).toBe(spec.layout !== 'full');
    }
  });

  it('is assembled from the .py files verbatim, only a parameter block is generated', () => {
    const onDisk = readdirSync(RECIPE_DIR).filter((f) => f.endsWith('.py'));
    expect(onDisk).toEqual(expect.arrayContaining(Object.keys(RECIPE_PY_FILES)));
    for (const [name, src] of Object.entries(RECIPE_PY_FILES))
      expect(src, name).toBe(readFileSync(join(RECIPE_DIR, name), 'utf8'));
    const s = recipeScript(
      {
        strategyId: 'hdf5-quantized',
        layout: 'used-pairs-pair-major',
        params: { eps: 1e-4, codec: 'shuffle-gzip', level: 4 },
      },
      INPUTS,
    );
    for (const name of [
      'common.py',
      'facts.py',
      'checks.py',
      'symmetric.py',
      'layout_used_pairs.py',
      'encode_quantized.py',
      'quantize.py',
      'write_hdf5.py',
      'verify.py',
      'main.py',
    ])
      expect(s, name).toContain(RECIPE_PY_FILES[name]!.trim());
    for (const name of [
      'no_facts.py',
      'layout_full.py',
      'layout_triangle.py',
      'encode_raw.py',
      'write_npy.py',
    ])
      expect(s, name).not.toContain(RECIPE_PY_FILES[name]!.trim());
  });

  it('quantized recipes carry ε, the codec and the first pass; shuffle + gzip sets SHUFFLE', () => {
    const spec: StrategySpec = {
      strategyId: 'hdf5-quantized',
      layout: 'upper-triangle-rowmajor',
      params: { eps: 7.8e-3, codec: 'gzip', level: 6 },
    };
    const s = recipeScript(spec, INPUTS);
    expect(s).toContain('EPS = 0.0078');
    expect(s).toContain('def scan(a):\n    """Finite min/max');
    expect(s).toContain('FILTER = dict(compression="gzip", compression_opts=6)');
    expect(s).toContain('SHUFFLE = False');
    expect(s).toContain('CHUNK_TARGET_BYTES = 1048576');
    const shuffled = recipeScript({ ...spec, params: { ...spec.params, codec: 'shuffle-gzip' } }, INPUTS);
    expect(shuffled).toContain('FILTER = dict(compression="gzip", compression_opts=6)');
    expect(shuffled).toContain('SHUFFLE = True');
    const so = recipeScript({ ...spec, params: { ...spec.params, codec: 'scaleoffset' } }, INPUTS);
    expect(so).toContain('FILTER = dict(scaleoffset=0)');
    expect(so).toContain('CHUNK_TARGET_BYTES = 65536');
  });

  it('plain casts skip the first pass', () => {
    const s = recipeScript({ strategyId: 'hdf5-float16', layout: 'full', params: {} }, INPUTS);
    expect(s).toContain(RECIPE_PY_FILES['no_facts.py']!.trim());
    expect(s).not.toContain(RECIPE_PY_FILES['facts.py']!.trim());
    expect(s).toContain('values.astype(np.float16)');
    expect(s).toContain('FILTER = None');
  });

  it('maps plugin codecs to hdf5plugin filter classes', () => {
    const codec = (params: Record<string, string | number>) =>
      recipeScript({ strategyId: 'hdf5-codec', layout: 'full', params }, INPUTS);
    expect(codec({ codec: 'blosc-zstd', shuffle: 'bit', level: 5, values: 'quantized' })).toContain(
      'hdf5plugin.Blosc(cname="zstd", clevel=5, shuffle=hdf5plugin.Blosc.BITSHUFFLE)',
    );
    expect(codec({ codec: 'bitshuffle-zstd', level: 3, values: 'native' })).toContain(
      'hdf5plugin.Bitshuffle(nelems=0, cname="zstd", clevel=3)',
    );
    expect(codec({ codec: 'zstd', level: 9, values: 'float16' })).toContain('hdf5plugin.Zstd(clevel=9)');
    expect(codec({ codec: 'zfp-rate', rate: 16, values: 'float32' })).toContain('hdf5plugin.Zfp(rate=16.0)');
    expect(codec({ codec: 'bzip2', level: 9, values: 'native' })).toContain('hdf5plugin.BZip2(blocksize=9)');
    expect(codec({ codec: 'lz4', values: 'native' })).toContain('hdf5plugin.LZ4(nbytes=0)');
  });

  it('refuses what it does not know, with a clear message', () => {
    const unknown = { strategyId: 'hdf5-magic' as StrategyId, layout: 'full', params: {} } as StrategySpec;
    expect(() => recipeScript(unknown, INPUTS)).toThrow(/hdf5-magic is not supported by recipe yet/);
    expect(() =>
      recipeScript({ strategyId: 'hdf5-codec', layout: 'full', params: { codec: 'lzf' } }, INPUTS),
    ).toThrow(RecipeUnsupportedError);
    expect(() =>
      recipeScript({ strategyId: 'hdf5-codec', layout: 'full', params: { codec: 'lzf' } }, INPUTS),
    ).toThrow(/not supported by recipe yet/);
    expect(() =>
      recipeScript(
        { strategyId: 'hdf5-quantized', layout: 'full', params: { codec: 'lzf', eps: 1, level: 4 } },
        INPUTS,
      ),
    ).toThrow(/quantized codec lzf is not supported/);
    // A .npy has no room for /pairs (the app refuses the same combination).
    expect(() => recipeScript({ strategyId: 'npy', layout: 'used-pairs', params: {} }, INPUTS)).toThrow(
      /a \.npy file cannot carry/,
    );
  });

  it('names the script after the output file', () => {
    expect(recipeFileName('shap-hdf5-gzip-full.h5')).toBe('shap-hdf5-gzip-full.py');
    expect(recipeFileName('shap-npy-triangle.npy')).toBe('shap-npy-triangle.py');
  });
});

describe.skipIf(NO_PYTHON !== null && !ON_CI)("recipe Python, checked by Python's compiler", () => {
  it('has Python on CI', () => {
    expect(NO_PYTHON).toBeNull();
  });

  it('compiles every .py file and the script of every strategy × layout, with no undefined names', () => {
    const sources: Record<string, [string, boolean]> = {};
    // Every .py file of the directory as it is on disk (the recipe's and any other script's).
    for (const name of readdirSync(RECIPE_DIR).filter((f) => f.endsWith('.py')))
      sources[name] = [readFileSync(join(RECIPE_DIR, name), 'utf8'), false];
    for (const name of Object.keys(RECIPE_PY_FILES)) expect(sources[name], name).toBeDefined();
    const specs = allSpecs();
    for (const spec of specs)
      sources[`script ${spec.strategyId} ${spec.layout} ${JSON.stringify(spec.params)}`] = [
        recipeScript(spec, INPUTS),
        true,
      ];
    const seen = python<Record<string, { error: string | null; undefined?: string[]; twice?: string[] }>>(
      CHECK_PY,
      sources,
    );
    expect(Object.keys(seen).length).toBe(Object.keys(sources).length);
    expect(specs.length).toBeGreaterThan(40);
    const problems = Object.entries(seen).flatMap(([name, r]) => [
      ...(r.error ? [`${name}: ${r.error}`] : []),
      ...(r.undefined?.length ? [`${name}: undefined ${r.undefined.join(', ')}`] : []),
      ...(r.twice?.length ? [`${name}: defined twice ${r.twice.join(', ')}`] : []),
    ]);
    expect(problems).toEqual([]);
  });

  it('plans and quantizes like the app: effective ε, step, offset on the grid through 0, codes', () => {
    // [min, max, ε, loaded dtype, layout error]
    const cases: [number, number, number, DTypeCode, number][] = [
      [-2.5107131, 2.41, 1e-4, 'f4', 0],
      [-2.5107131, 2.41, 7.8e-3, 'f4', 3.7e-7],
      [-151.96, 140.2, 1e-4, 'f4', 2.8e-5],
      [0.37025075479039493, 0.7127020269829002, 1e-4, 'f8', 0],
      [0.37, 0.71, 3e-2, 'f8', 0],
      [-1e-3, 0, 1e-6, 'f8', 0],
      [2.5, 2.5, 1e-4, 'f8', 0],
      [-1e300, 1e300, 1e292, 'f8', 0],
      [-300, 1200, 0.5, 'i2', 0],
      [-300, 1200, 3.7, 'i4', 0.5],
      [0, 1000, 1, 'f2', 0],
      [-4, 9, 1e-2, 'f2', 0],
      [1e9, 1e9 + 5000, 1e-3, 'f8', 0],
    ];
    // Each case without a value sample, then with one where most values crowd one spot (the bulk
    // offset moves the grid so their codes share upper bytes).
    const withSamples = cases.flatMap((c) => [
      { c, sample: null },
      { c, sample: crowdedSample(c[0], c[1], cases.indexOf(c)) },
    ]);
    const inputs = withSamples.map(({ c: [min, max, eps, dtype, layoutError], sample }) => {
      const v = { dtype, layoutError, facts: { min, max, valueSample: sample } } as unknown as LayoutValues;
      const plan = quantizationPlanFor(v, eps);
      const xs = [min, max, 0, (min + max) / 2];
      // Grid midpoints and their neighbours: where rounding decides between two codes.
      for (let k = -3; k <= 3; k++) {
        const mid =
          plan.addOffset +
          (Math.round((min - plan.addOffset) / plan.scaleFactor) + 0.5 + k * 7) * plan.scaleFactor;
        if (mid >= min && mid <= max) xs.push(mid, mid * (1 + 2 ** -52), mid * (1 - 2 ** -52));
      }
      const values = xs.filter((x) => x >= min && x <= max);
      return {
        min,
        max,
        eps,
        dtype,
        layoutError,
        values,
        sample: sample ? [...sample] : null,
        plan,
        codes: [...quantize(Float64Array.from(values), plan)],
      };
    });
    const program = [
      'import json, math, os, sys',
      'import numpy as np',
      'STRATEGY_ID = "hdf5-quantized"',
      'LAYOUT = "full"',
      RECIPE_PY_FILES['common.py'],
      RECIPE_PY_FILES['facts.py'],
      RECIPE_PY_FILES['quantize.py'],
      String.raw`
out = []
for c in json.load(sys.stdin):
    EPS = c["eps"]
    facts = {"min": c["min"], "max": c["max"], "dtype": c["dtype"], "layout_error": c["layoutError"]}
    if c["sample"] is not None:
        facts["sample"] = np.array(c["sample"], dtype=np.float64)
    plan = quantization_plan(facts)
    codes = quantize(np.array(c["values"], dtype=np.float64), plan)
    out.append({"scale": plan["scale_factor"], "offset": plan["add_offset"], "dtype": plan["dtype"].str[1:],
                "eps": plan["eps"], "codes": codes.tolist()})
print(json.dumps(out))
`,
    ].join('\n\n');
    const got = python<{ scale: number; offset: number; dtype: string; eps: number; codes: number[] }[]>(
      program,
      inputs.map(({ plan: _p, codes: _c, ...rest }) => rest),
    );
    let moved = 0;
    got.forEach((g, i) => {
      const { plan, codes, sample } = inputs[i]!;
      const where = `${JSON.stringify(withSamples[i]!.c)} sample ${sample !== null}`;
      if (sample && plan.addOffset !== inputs[i - 1]!.plan.addOffset) moved++;
      expect(g.eps, where).toBe(plan.eps);
      expect(g.scale, where).toBe(plan.scaleFactor);
      expect(g.offset, where).toBe(plan.addOffset);
      expect(g.dtype, where).toBe(plan.dtype);
      expect(g.codes, where).toEqual(codes);
      // The grid contains 0 (the offset is a whole number of steps) wherever it can reach 0.
      const k = Math.round(plan.addOffset / plan.scaleFactor);
      if (Math.abs(k) < 2 ** 52) expect(k * plan.scaleFactor, where).toBe(plan.addOffset);
    });
    expect(moved).toBeGreaterThan(3);
  });

  it('samples the values like the app (valueSampleOf) and picks shuffle chunk heights like it', () => {
    const arrays = [
      { shape: [7, 5, 5], n: 175 },
      { shape: [200, 15, 15], n: 45000 },
      { shape: [3, 7], n: 21 },
    ].map(({ shape, n }, t) => {
      const data = Float64Array.from({ length: n }, (_, i) =>
        i % 97 === 0 ? NaN : i % 89 === 0 ? -Infinity : Math.sin(i * 0.37 + t) * 10 ** (i % 5),
      );
      return {
        shape,
        data: [...data].map((x) => (Number.isFinite(x) ? x : String(x))),
        ts: valueSampleOf(data),
      };
    });
    const shapes = [
      [178, 70],
      [70, 178],
      [8840, 56],
      [56, 8840],
      [1000, 141 * 71],
      [3, 1000, 1000],
      [5_000_000],
      [1, 2 ** 16, 2 ** 15],
    ];
    const items = [1, 2, 4];
    const program = [
      'import json, math, os, sys',
      'import numpy as np',
      'STRATEGY_ID = "hdf5-quantized"',
      'LAYOUT = "full"',
      'CHUNK_TARGET_BYTES = 1 << 20',
      RECIPE_PY_FILES['common.py'],
      RECIPE_PY_FILES['facts.py'],
      'h5py = None',
      RECIPE_PY_FILES['write_hdf5.py'],
      String.raw`
job = json.load(sys.stdin)
samples = []
for x in job["arrays"]:
    v = np.array([float(t) for t in x["data"]], dtype=np.float64).reshape(x["shape"])
    # Fortran order on disk must not change which values are sampled (C-order positions).
    samples.append([value_sample(v).tolist(), value_sample(np.asfortranarray(v)).tolist()])
chunks = [[list(shuffle_row_chunks(tuple(s), b) or []) for b in job["items"]] for s in job["shapes"]]
print(json.dumps({"samples": samples, "chunks": chunks}))
`,
    ].join('\n\n');
    const got = python<{ samples: [number[], number[]][]; chunks: number[][][] }>(program, {
      arrays: arrays.map(({ ts: _t, ...a }) => a),
      shapes,
      items,
    });
    arrays.forEach((a, i) => {
      expect(got.samples[i]![0], `${a.shape}`).toEqual([...a.ts]);
      expect(got.samples[i]![1], `${a.shape} fortran`).toEqual([...a.ts]);
    });
    shapes.forEach((shape, i) =>
      items.forEach((b, j) =>
        expect(got.chunks[i]![j], `${shape} × ${b} B`).toEqual(shuffleRowChunks(shape, b) ?? []),
      ),
    );
  });
});

/** A sorted sample of [min, max] with 80 % of it in a band of 2 % of the range (deterministic). */
function crowdedSample(min: number, max: number, seed: number): Float64Array {
  let x = seed * 7919 + 1;
  const rand = () => (x = (x * 48271) % 2147483647) / 2147483647;
  const centre = min + (max - min) * (0.2 + 0.6 * rand());
  const out = Float64Array.from({ length: 2000 }, (_, i) =>
    i % 5 === 0
      ? min + (max - min) * rand()
      : Math.min(max, Math.max(min, centre + (max - min) * 0.02 * (rand() - 0.5))),
  );
  return out.sort();
}
