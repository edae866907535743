import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const bootstrap = fileURLToPath(new URL('../bootstrap', import.meta.url));
const taskRoot = fileURLToPath(new URL('..', import.meta.url));

describe('examples/streamify-response', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start({ functionName: 'streamify-response' });
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('runs an unchanged awslambda.streamifyResponse handler through lambda-runtime, prelude first', async () => {
    emulator.spawn({ command: bootstrap, cwd: taskRoot, env: { _HANDLER: 'index.handler' } });

    const stream = emulator.invokeStream({ rows: 3 });
    const { body, chunks } = await stream.collect();
    const result = await stream.result;

    expect(result.status).toBe('success');
    expect(stream.streamed).toBe(true);
    expect(stream.prelude).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'text/csv', 'X-Request-Id': result.requestId },
      cookies: ['export=started; Path=/'],
    });
    expect(body.toString()).toBe('id,name\n1,item-1\n2,item-2\n3,item-3\n');
    expect(chunks.length).toBeGreaterThan(1);
  });

  it('runs the documentation style (setContentType, write, end) with the content type it set', async () => {
    emulator.spawn({ command: bootstrap, cwd: taskRoot, env: { _HANDLER: 'index.hello' } });

    const result = await emulator.invoke({ name: 'Lambda' });

    expect(result.status).toBe('success');
    expect(result.contentType).toBe('text/plain');
    expect(result.payload.toString()).toBe('Hello, Lambda!');
  });

  it('item 36: a handler that throws before its first write is answered on /error', async () => {
    emulator.spawn({ command: bootstrap, cwd: taskRoot, env: { _HANDLER: 'index.handler' } });

    const result = await emulator.invoke({ fail: 'before' });

    expect(result.status).toBe('error');
    expect(result.via).toBe('error');
    expect(result.error).toMatchObject({ errorType: 'Error', errorMessage: 'No data source configured' });
  });

  it('honours AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA: without the global the handler module fails to load', async () => {
    const runtime = emulator.spawn({
      command: bootstrap,
      cwd: taskRoot,
      env: { _HANDLER: 'index.handler', AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA: 'true' },
    });

    const result = await emulator.invoke({});
    const exit = await runtime.waitForExit();

    expect(result.via).toBe('init-error');
    expect(result.errorType).toBe('ReferenceError');
    expect(result.error?.errorMessage).toContain('awslambda is not defined');
    expect(exit.code).toBe(1);
  });
});
