#!/usr/bin/env python3
"""Larger real SHAP interaction stacks for the benchmark, made with XGBoost at bench time.

usage: /usr/bin/python3 bench/shap_data.py OUT_DIR [--force]
Writes OUT_DIR/<name>.npy (float32 N x M x M, as xgboost returns them, bias row/column included) and
prints a JSON list of {name, path, shape, dtype, zeros_fraction, used_pairs, total_pairs, ...}.
Files already in OUT_DIR are reused (a cache) unless --force. From Python: `stacks()` does the same
in a temp-dir cache (tempfile.gettempdir()/h5squeeze-shap-<key>) and returns the list.

The stacks (nothing here is committed; ~90 s of CPU, i.e. ~45 s on 2 idle cores; ~66 MB on disk):
- cls64:   binary:logistic on make_classification, 6000 x 63 features of which 8 informative,
           4 redundant and 51 pure noise; trained on 4000 rows, explained on the 2000 held out.
           2000 x 64 x 64. Depth-3 trees rarely pair noise features, so most pairs stay exactly 0.
- reg61:   reg:squarederror on make_regression, 60 features (10 informative) plus a few product
           and threshold terms so the target has real interactions; same split. 2000 x 61 x 61.
- wine3k:  the wine fixture's model (tests/fixtures/make_shap.py, class 1) on 3000 rows bootstrapped
           from wine and jittered (Gaussian, 20% of each continuous feature's std: with less, many
           jittered copies fall in the same leaves of every tree and give identical matrices, which
           real data rarely has and a compressor would exploit). 3000 x 14 x 14.
- diabetes2k: the diabetes fixture's model, likewise on 2000 rows. 2000 x 11 x 11.
All seeded; xgboost runs with nthread=2 (row-parallel prediction gives the same values as 1 thread).
"""
import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'fixtures'))
import make_shap  # noqa: E402  (the fixture models: same datasets, parameters and class)

# Bump when a recipe changes, so that stale cached stacks are not reused.
RECIPE_VERSION = 2
NTHREAD = 2
N_TRAIN = 4000
N_EXPLAIN = 2000
SYNTH_PARAMS = {'eta': 0.05, 'subsample': 0.8, 'colsample_bytree': 0.8, 'tree_method': 'hist',
                'seed': 0, 'nthread': NTHREAD}


def _explain(booster, x):
    import xgboost as xgb
    s = booster.predict(xgb.DMatrix(x, nthread=NTHREAD), pred_interactions=True)
    return np.ascontiguousarray(s, dtype=np.float32)


def make_cls64():
    import xgboost as xgb
    from sklearn.datasets import make_classification
    x, y = make_classification(n_samples=N_TRAIN + N_EXPLAIN, n_features=63, n_informative=8,
                               n_redundant=4, n_repeated=0, n_clusters_per_class=3, flip_y=0.03,
                               class_sep=0.8, shuffle=True, random_state=0)
    params = dict(SYNTH_PARAMS, objective='binary:logistic', max_depth=3)
    b = xgb.train(params, xgb.DMatrix(x[:N_TRAIN], label=y[:N_TRAIN], nthread=NTHREAD), 200)
    return _explain(b, x[N_TRAIN:])


def make_reg61():
    import xgboost as xgb
    from sklearn.datasets import make_regression
    x, y, coef = make_regression(n_samples=N_TRAIN + N_EXPLAIN, n_features=60, n_informative=10,
                                 noise=10.0, coef=True, shuffle=True, random_state=1)
    inf = np.flatnonzero(coef)
    scale = float(np.std(y))
    # Interactions among a few informative features, as real targets have.
    y = (y + 0.4 * scale * x[:, inf[0]] * x[:, inf[1]]
         + 0.3 * scale * np.where(x[:, inf[2]] > 0.5, x[:, inf[3]], 0.0)
         + 0.2 * scale * np.tanh(x[:, inf[4]] * x[:, inf[5]]))
    params = dict(SYNTH_PARAMS, objective='reg:squarederror', max_depth=3)
    b = xgb.train(params, xgb.DMatrix(x[:N_TRAIN], label=y[:N_TRAIN], nthread=NTHREAD), 200)
    return _explain(b, x[N_TRAIN:])


def bootstrap_rows(x, n, seed, jitter=0.2):
    """n rows resampled from x with replacement; continuous columns get N(0, (jitter*std)^2) noise."""
    rng = np.random.default_rng(seed)
    rows = x[rng.integers(0, x.shape[0], n)]
    for j in range(x.shape[1]):
        if np.unique(x[:, j]).size > 10:
            rows[:, j] += rng.normal(0.0, jitter * np.std(x[:, j]), n)
    return rows


def make_fixture_model(name, n, seed):
    def make():
        x = make_shap.load(name)[0]
        booster = make_shap.train(name, nthread=NTHREAD)
        return make_shap.interactions(name, booster, bootstrap_rows(x, n, seed), nthread=NTHREAD)
    return make


RECIPES = {
    'cls64': make_cls64,
    'reg61': make_reg61,
    'wine3k': make_fixture_model('wine', 3000, 11),
    'diabetes2k': make_fixture_model('diabetes', 2000, 12),
}


def cache_dir():
    import xgboost
    return os.path.join(tempfile.gettempdir(),
                        'h5squeeze-shap-v%d-xgb%s' % (RECIPE_VERSION, xgboost.__version__))


def stacks(out_dir=None, force=False, names=None, log=sys.stderr):
    """Make (or reuse) the stacks in out_dir (default: a temp-dir cache); returns their summaries."""
    out_dir = out_dir or cache_dir()
    os.makedirs(out_dir, exist_ok=True)
    res = []
    for name in names or RECIPES:
        path = os.path.abspath(os.path.join(out_dir, name + '.npy'))
        if force or not os.path.exists(path):
            t, c = time.perf_counter(), time.process_time()
            a = RECIPES[name]()
            tmp = path + '.tmp-%d.npy' % os.getpid()
            np.save(tmp, a)
            os.replace(tmp, path)  # atomic: a concurrent reader never sees half a file
            if log:
                print('%s: made %s in %.1f s (%.1f s CPU)' % (
                    name, a.shape, time.perf_counter() - t, time.process_time() - c), file=log)
        else:
            a = np.load(path)
        st = make_shap.stack_stats(a)
        res.append(dict({'name': name, 'path': path}, **st))
    return res


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('out_dir')
    p.add_argument('--force', action='store_true', help='regenerate even if the .npy exists')
    p.add_argument('--only', action='append', choices=sorted(RECIPES), help='make only these (repeatable)')
    args = p.parse_args()
    json.dump(stacks(args.out_dir, args.force, args.only), sys.stdout, indent=1)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
