// The worker protocol over a real MessageChannel (Node's, the same structured clone and transfer
// semantics a Worker's port has): exposeApi on one port, a minimal caller on the other that rebuilds
// errors the way workers/client.ts does (WorkerError). Errors keep code, message and cause chain;
// progress and transfers still work; a real h5wasm filter refusal crosses with its code.
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CancelledError,
  CoreError,
  ERROR_CODES,
  UnsupportedError,
  errorCodeOf,
  isErrorCode,
  wrapError,
} from '../../../src/core/errors';
import type { ErrorCode } from '../../../src/core/errors';
import {
  MAX_CAUSE_DEPTH,
  WorkerError,
  exposeApi,
  fromWire,
  isAbortError,
  toWireError,
} from '../../../src/workers/rpc';
import type { ApiShape, CallContext, Request, Response } from '../../../src/workers/rpc';
import { getH5, scratchPath } from '../../../src/hdf5/h5wasm-init';
import { ensurePlugins } from '../../../src/hdf5/plugins';
import { isFilterFailure, writeHdf5File } from '../../../src/hdf5/write';
import { removeFile } from '../../../src/hdf5/files';
import { sampleData } from '../hdf5/hdf5-test-helpers';

const open: MessagePort[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

/** Exposes `api` on one end of a fresh channel and returns a caller on the other end. */
function connect(api: ApiShape) {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  exposeApi(api, port1 as unknown as Parameters<typeof exposeApi>[1]);
  port1.start();
  let nextId = 1;
  return (method: string, arg: unknown = null, onProgress?: (f: number, detail?: string) => void) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      const onMessage = (msg: Response) => {
        if (msg.id !== id) return;
        if (msg.kind === 'progress') return onProgress?.(msg.fraction, msg.detail);
        port2.off('message', onMessage);
        if (msg.kind === 'ok') resolve(msg.value);
        else reject(new WorkerError(msg.error));
      };
      port2.on('message', onMessage);
      port2.postMessage({ id, method, arg } satisfies Request);
    });
}

async function rejection(p: Promise<unknown>): Promise<WorkerError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(WorkerError);
    return e as WorkerError;
  }
  throw new Error('expected the call to fail');
}

/** [name, code, message] of an error and each of its causes. */
function chainOf(e: unknown): [string, ErrorCode, string][] {
  const out: [string, ErrorCode, string][] = [];
  for (let x: unknown = e; x instanceof Error; x = x.cause) out.push([x.name, errorCodeOf(x), x.message]);
  return out;
}

describe('errors across the worker boundary', () => {
  it('arrive with the same code, message and cause chain', async () => {
    const call = connect({
      fail: () => {
        const root = new TypeError('h5wasm said no');
        const mid = new CoreError('FILTER_REFUSED', 'blosc refused chunk 3', { cause: root });
        throw new CoreError('HDF5_WRITE', 'Writing HDF5 file /x.h5 failed', { cause: mid });
      },
    });
    const e = await rejection(call('fail'));
    expect(e).toBeInstanceOf(CoreError);
    expect(chainOf(e)).toEqual([
      ['CoreError', 'HDF5_WRITE', 'Writing HDF5 file /x.h5 failed'],
      ['CoreError', 'FILTER_REFUSED', 'blosc refused chunk 3'],
      ['TypeError', 'INTERNAL', 'h5wasm said no'],
    ]);
    // Every level is a CoreError-compatible error with a typed code, and the chain ends.
    expect((e.cause as WorkerError).cause).toBeInstanceOf(WorkerError);
    expect(((e.cause as WorkerError).cause as WorkerError).cause).toBeUndefined();
    expect('cause' in ((e.cause as WorkerError).cause as Error)).toBe(false);
    // The worker's stack travels for debugging.
    expect(e.stack).toMatch(/Writing HDF5 file/);
  });

  it('keep subclass names and codes (a skipped row is told from a failed one by code)', async () => {
    const call = connect({
      skip: () => {
        throw new UnsupportedError('zfp cannot store NaN or ±Inf');
      },
    });
    const e = await rejection(call('skip'));
    expect(e.name).toBe('UnsupportedError');
    expect(e.code).toBe('UNSUPPORTED');
    expect(errorCodeOf(e)).toBe('UNSUPPORTED');
    expect(e.message).toBe('zfp cannot store NaN or ±Inf');
    expect('cause' in e).toBe(false);
  });

  it('turn a non-Error throw into INTERNAL with the value as the message', async () => {
    const call = connect({
      text: () => {
        throw 'plain string';
      },
      object: () => {
        throw { reason: 'an object', n: 3 };
      },
      async: async () => {
        await Promise.resolve();
        throw 42;
      },
    });
    for (const [method, message] of [
      ['text', 'plain string'],
      ['object', '{"reason":"an object","n":3}'],
      ['async', '42'],
    ] as const) {
      const e = await rejection(call(method));
      expect([e.name, e.code, e.message]).toEqual(['Error', 'INTERNAL', message]);
    }
  });

  it('give INTERNAL to codes outside the union, on either side', async () => {
    const call = connect({
      fs: () => {
        throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
      },
    });
    const e = await rejection(call('fs'));
    expect([e.code, e.message]).toEqual(['INTERNAL', 'ENOENT: no such file']);
    // A worker built from another version could send a code this one doesn't know.
    const rebuilt = fromWire({ name: 'CoreError', message: 'm', code: 'FUTURE_CODE' as ErrorCode });
    expect(rebuilt.code).toBe('INTERNAL');
  });

  it('cut cause chains after MAX_CAUSE_DEPTH levels and survive a cause loop', async () => {
    const call = connect({
      deep: () => {
        let e: Error = new Error('level 10');
        for (let i = 9; i >= 0; i--) e = new CoreError('HDF5_READ', `level ${i}`, { cause: e });
        throw e;
      },
      loop: () => {
        const e = new CoreError('INTERNAL', 'I am my own cause');
        Object.defineProperty(e, 'cause', { value: e });
        throw e;
      },
    });
    const deep = chainOf(await rejection(call('deep')));
    expect(deep.map(([, , m]) => m)).toEqual(
      Array.from({ length: MAX_CAUSE_DEPTH + 1 }, (_, i) => `level ${i}`),
    );
    expect(chainOf(await rejection(call('loop')))).toHaveLength(MAX_CAUSE_DEPTH + 1);
  });

  it('serialise to plain data only (structured clone keeps every field)', () => {
    const wire = toWireError(new CoreError('PLUGIN_LOAD', 'no plugin', { cause: new RangeError('x') }));
    expect(structuredClone(wire)).toEqual(wire);
    expect(wire).toMatchObject({
      name: 'CoreError',
      code: 'PLUGIN_LOAD',
      cause: { name: 'RangeError', code: 'INTERNAL', message: 'x' },
    });
  });

  it('carry a real h5wasm filter refusal as FILTER_REFUSED with h5wasm’s words in the chain', async () => {
    await ensurePlugins();
    const env = await getH5();
    const call = connect({
      writeIncompressible: () => {
        const path = scratchPath(env, 'rpc-blosc-refusal');
        try {
          // blosc refuses chunks that don't shrink (random bytes): "filter returned failure".
          writeHdf5File(path, {
            data: sampleData('u1', 4000, 9),
            dtype: 'u1',
            shape: [4, 1000],
            chunks: [2, 1000],
            filter: { id: 32001, opts: [0, 0, 0, 0, 5, 1, 5] },
            attrs: {},
            rootAttrs: {},
          });
        } finally {
          removeFile(path);
        }
        return 'written';
      },
      badPlan: () =>
        writeHdf5File(scratchPath(env, 'rpc-bad-plan'), {
          data: new Float64Array(3),
          dtype: 'f8',
          shape: [4],
          attrs: {},
          rootAttrs: {},
        }),
    });
    const e = await rejection(call('writeIncompressible'));
    expect(e.code).toBe('FILTER_REFUSED');
    expect(e.message).toMatch(/^Writing HDF5 file .* failed/);
    expect(isFilterFailure(e)).toBe(true);
    expect(chainOf(e).some(([, , m]) => m.includes('filter returned failure'))).toBe(true);

    // A plan the adapter refuses before touching h5wasm fails as BAD_PARAMS, on its own.
    const bad = await rejection(call('badPlan'));
    expect(chainOf(bad)).toEqual([
      ['CoreError', 'BAD_PARAMS', 'HDF5 plan: data has 3 values, shape [4] needs 4'],
    ]);
  });
});

describe('the protocol', () => {
  it('reports progress before the result, and transfers (not copies) the buffers asked for', async () => {
    const buffer = new Float64Array([1, 2, 3]).buffer;
    const call = connect({
      work: (arg: { n: number }, ctx: CallContext) => {
        ctx.progress(0.5, 'half');
        ctx.progress(1);
        ctx.transfer([buffer]);
        return { n: arg.n * 2, buffer };
      },
    });
    const progress: [number, string | undefined][] = [];
    const value = (await call('work', { n: 21 }, (f, d) => progress.push([f, d]))) as {
      n: number;
      buffer: ArrayBuffer;
    };
    expect(progress).toEqual([
      [0.5, 'half'],
      [1, undefined],
    ]);
    expect(value.n).toBe(42);
    expect([...new Float64Array(value.buffer)]).toEqual([1, 2, 3]);
    expect(buffer.byteLength).toBe(0); // detached on the sending side: it was moved
  });

  it('fails an unknown method with a message naming it and the methods there are', async () => {
    const call = connect({ runJob: () => 1, warm: () => 2 });
    const e = await rejection(call('runJbo'));
    expect(e.message).toBe('unknown worker method "runJbo" (this worker has: runJob, warm)');
    expect(e.code).toBe('INTERNAL');
    // Inherited properties of the API object are not methods.
    expect((await rejection(call('toString'))).message).toMatch(/unknown worker method "toString"/);
  });
});

describe('error codes', () => {
  it('are one union with a guard', () => {
    for (const c of ERROR_CODES) expect(isErrorCode(c)).toBe(true);
    for (const x of ['unsupported', 'ENOENT', '', null, 3, undefined]) expect(isErrorCode(x)).toBe(false);
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it('are kept by a wrapper when they say why in the user’s terms', () => {
    const oom = new CoreError('OUT_OF_MEMORY', 'The wasm heap has no room for 8 bytes');
    expect(wrapError('HDF5_WRITE', 'Writing failed', oom).code).toBe('OUT_OF_MEMORY');
    const parse = new CoreError('HDF5_READ', 'No version-2 object header');
    const wrapped = wrapError('HDF5_WRITE', 'Writing failed', parse);
    expect(wrapped.code).toBe('HDF5_WRITE');
    expect(wrapped.cause).toBe(parse);
    expect(wrapError('HDF5_READ', 'Reading failed', 'a string').code).toBe('HDF5_READ');
  });

  it('mark a cancel so that both DOM aborts and CancelledError are recognised', () => {
    expect(isAbortError(new CancelledError())).toBe(true);
    expect(new CancelledError().code).toBe('CANCELLED');
    expect(isAbortError(new DOMException('cancelled', 'AbortError'))).toBe(true);
    expect(isAbortError(new CoreError('INTERNAL', 'x'))).toBe(false);
  });
});
