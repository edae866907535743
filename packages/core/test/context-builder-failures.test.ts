import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator, type SpawnedRuntime } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answersFor, jsonLogLines } from './support.js';

const fixture = fileURLToPath(new URL('./fixtures/context-builders.mjs', import.meta.url));

describe('preparing an invocation (real runtime process)', () => {
  let emulator: RuntimeApiEmulator;
  let runtime: SpawnedRuntime | undefined;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await runtime?.terminate();
    runtime = undefined;
    await emulator.close();
  });

  function start(context: string): SpawnedRuntime {
    runtime = emulator.spawn({
      command: process.execPath,
      args: [fixture],
      env: { FIXTURE_CONTEXT: context, AWS_LAMBDA_LOG_FORMAT: 'JSON' },
    });
    return runtime;
  }

  it('item 9: runs the handler with a frozen context whose done/succeed/fail still work', async () => {
    start('frozen');

    const returned = await emulator.invoke({});
    const succeeded = await emulator.invoke({ complete: 'succeed' });
    const failed = await emulator.invoke({ complete: 'fail' });

    expect(returned.json()).toEqual({
      id: returned.requestId,
      stage: 'prod',
      frozen: true,
      sealed: true,
      remaining: true,
    });
    expect(succeeded.json()).toMatchObject({ id: succeeded.requestId, frozen: true, via: 'succeed' });
    expect(failed.error).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'failed through context.fail',
    });
  });

  it.each([
    ['sealed', { frozen: false, sealed: true }],
    ['not-extensible', { frozen: false, sealed: false }],
    ['proxy-refuses', { frozen: false, sealed: false }],
    ['proxy-ignores', { frozen: false, sealed: false }],
  ])('item 9: runs the handler with a %s context, completions included', async (shape, integrity) => {
    start(shape);

    const returned = await emulator.invoke({});
    const succeeded = await emulator.invoke({ complete: 'succeed' });

    expect(returned.json()).toEqual({ id: returned.requestId, stage: 'prod', remaining: true, ...integrity });
    expect(succeeded.json()).toMatchObject({ id: succeeded.requestId, via: 'succeed' });
  });

  it.each([
    [
      'a context builder that throws',
      'plain',
      { break: 'builder' },
      'SyntaxError',
      'the builder cannot build this',
    ],
    ['a codec that cannot decode', 'plain', { break: 'decode' }, 'RangeError', 'the codec cannot read this'],
    [
      'a codec that cannot encode',
      'plain',
      { break: 'encode' },
      'Runtime.SerializationError',
      'could not be serialized',
    ],
    [
      'a context builder that returns null',
      'null',
      {},
      'TypeError',
      'returned null instead of a context object',
    ],
    ['a context that can be neither completed nor copied', 'proxy-opaque', {}, 'Error', 'cannot be listed'],
  ])(
    'item 13: answers /error for that request id and goes on after %s',
    async (_case, shape, event, errorType, message) => {
      start(shape);

      const broken = await emulator.invoke(event);
      const next = await emulator.invoke({ break: 'nothing' });

      expect(broken.via).toBe('error');
      expect(broken.error?.errorType).toBe(errorType);
      expect(broken.error?.errorMessage).toContain(message);
      expect(answersFor(emulator, broken.requestId)).toHaveLength(1);
      // The loop went on: the process is alive and answered the next invocation (or failed it alike).
      expect(next.via).not.toBe('exit');
      expect(answersFor(emulator, next.requestId)).toHaveLength(1);
      const logged = jsonLogLines(runtime as SpawnedRuntime).filter(
        (line) => line.message === 'Invoke Error',
      );
      expect(logged.map((line) => line.requestId)).toContain(broken.requestId);
    },
  );

  it('item 13: goes on to answer normally once a context builder failure is answered', async () => {
    start('plain');

    await emulator.invoke({ break: 'builder' });
    const next = await emulator.invoke({});

    expect(next.json()).toMatchObject({ id: next.requestId, stage: 'prod', frozen: false });
  });
});
