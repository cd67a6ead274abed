// Plain-language messages by error code (store/messages.ts), for errors raised here and rebuilt from a worker.
import { describe, expect, it } from 'vitest';
import { CancelledError, CoreError } from '../../../src/core/errors';
import { describeError, nextStepFor } from '../../../src/store/messages';
import { WorkerError, toWireError } from '../../../src/workers/rpc';

describe('describeError', () => {
  it('names the file and keeps a self-explaining message as it is', () => {
    const e = new CoreError('NPY_BAD_MAGIC', 'This is not a .npy file.');
    expect(describeError(e, 'a.npy')).toBe('Could not read a.npy. This is not a .npy file.');
    expect(nextStepFor('NPY_BAD_MAGIC')).toBeNull();
  });

  it('adds a next step for codes whose message is a library’s, also after crossing from a worker', () => {
    const cause = new Error('H5Fcreate failed');
    const e = new WorkerError(toWireError(new CoreError('HDF5_INIT', 'Could not start h5wasm', { cause })));
    expect(describeError(e, 'the generator')).toBe(
      `Could not read the generator. Could not start h5wasm ${nextStepFor('HDF5_INIT')}`,
    );
    expect(describeError(new TypeError('x is undefined'), 'b.npy')).toContain(nextStepFor('INTERNAL')!);
  });

  it('says a cancel was a cancel', () => {
    expect(describeError(new CancelledError(), 'c.npy')).toBe('Reading c.npy was cancelled.');
  });
});
