import { beforeAll, describe, expect, it } from 'vitest';
import { getH5, scratchPath } from '../../../src/hdf5/h5wasm-init';
import type { H5Env } from '../../../src/hdf5/h5wasm-init';
import { writeHdf5File } from '../../../src/hdf5/write';
import { readHdf5File } from '../../../src/hdf5/read';
import { fileLength, readFileBytes, removeFile } from '../../../src/hdf5/files';
import { setMaxAbsError } from '../../../src/hdf5/max-abs-error';
import { locateDataset, memorySink } from '../../../src/hdf5/object-header';
import type { AttrValue, DatasetPlan, StoredDType } from '../../../src/hdf5/types';
import { ROOT_ATTRS, contractAttrs, firstDifference, sampleData } from './hdf5-test-helpers';

let env: H5Env;
beforeAll(async () => {
  env = await getH5();
});

const DENSE_EXTRA: Record<string, AttrValue> = {
  scale_factor: { type: 'float64', value: 0.0078125 },
  add_offset: { type: 'float64', value: -10 },
  extra: { type: 'string', value: 'a tenth attribute' },
};

function planOf(dtype: StoredDType, chunked: boolean, dense: boolean): DatasetPlan {
  return {
    data: sampleData(dtype, 6 * 9),
    dtype,
    shape: [6, 9],
    chunks: chunked ? [2, 9] : undefined,
    filter: chunked ? { id: 1, opts: [4] } : undefined,
    attrs: contractAttrs(dense ? DENSE_EXTRA : {}),
    rootAttrs: ROOT_ATTRS,
  };
}

describe('setMaxAbsError', () => {
  for (const dtype of ['f8', 'f2', 'i2'] as const) {
    for (const chunked of [false, true]) {
      for (const dense of [false, true]) {
        const name = `${dtype} ${chunked ? 'chunked+gzip' : 'contiguous'} ${dense ? 'dense' : 'compact'} attributes`;
        it(`${name}: value set in place, length unchanged, file still valid`, () => {
          const path = scratchPath(env, 'mae');
          try {
            const p = planOf(dtype, chunked, dense);
            const length = writeHdf5File(path, p);
            const before = readFileBytes(path);
            expect(readHdf5File(path).attrs.max_abs_error).toBeNaN();

            expect(setMaxAbsError(path, 0.0078125)).toBe(length);
            expect(fileLength(path)).toBe(length);
            const after = readFileBytes(path);
            locateDataset(memorySink(after)); // every header checksum still verifies

            // Exactly the 8 value bytes and one 4-byte checksum changed.
            let changed = 0;
            for (let i = 0; i < after.length; i++) if (after[i] !== before[i]) changed++;
            expect(changed).toBeGreaterThan(0);
            expect(changed).toBeLessThanOrEqual(12);

            const back = readHdf5File(path);
            expect(back.attrs.max_abs_error).toBe(0.0078125);
            expect(firstDifference(back.data, p.data)).toBe(-1);
            const { max_abs_error: _m, ...rest } = back.attrs;
            expect(Object.keys(rest).sort()).toEqual(Object.keys(p.attrs).sort());

            // The placeholder is gone: a second call cannot find it.
            expect(() => setMaxAbsError(path, 1)).toThrow(/No max_abs_error placeholder/);
          } finally {
            removeFile(path);
          }
        });
      }
    }
  }

  it('stores 0, Infinity and tiny values exactly', () => {
    for (const value of [0, Infinity, 5e-324, 1 / 81_000]) {
      const path = scratchPath(env, 'mae-values');
      writeHdf5File(path, planOf('f4', true, false));
      setMaxAbsError(path, value);
      expect(readHdf5File(path).attrs.max_abs_error).toBe(value);
      removeFile(path);
    }
  });

  it('refuses a file written with an explicit max_abs_error', () => {
    const path = scratchPath(env, 'mae-explicit');
    const p = planOf('f8', false, false);
    p.attrs = { ...p.attrs, max_abs_error: { type: 'float64', value: 0.5 } };
    writeHdf5File(path, p);
    expect(() => setMaxAbsError(path, 0.1)).toThrow(
      /Setting max_abs_error .* failed: No max_abs_error placeholder/,
    );
    expect(readHdf5File(path).attrs.max_abs_error).toBe(0.5);
    removeFile(path);
  });
});
