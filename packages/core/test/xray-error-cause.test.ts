import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_XRAY_ERROR_CAUSE_BYTES, xrayErrorCause } from '../src/xray-error-cause.js';
import { type startLoop as StartLoop, startLoop } from './support.js';

interface Cause {
  working_directory: string;
  exceptions: Array<{
    type: string;
    message: string;
    stack: Array<{ path: string; line: number; label: string }>;
  }>;
  paths: string[];
}

describe('xrayErrorCause', () => {
  it('item 27: describes the error with its type, message, parsed frames and paths', () => {
    const document = {
      errorType: 'TypeError',
      errorMessage: 'x is not a function',
      stackTrace: [
        'TypeError: x is not a function',
        '    at handler (/var/task/index.js:12:7)',
        '    at /var/task/lib/util.js:3:1',
        '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      ],
    };
    const cause = JSON.parse(xrayErrorCause(document, '/var/task') ?? 'null') as Cause;

    expect(cause.working_directory).toBe('/var/task');
    expect(cause.exceptions).toEqual([
      {
        type: 'TypeError',
        message: 'x is not a function',
        stack: [
          { path: '/var/task/index.js', line: 12, label: 'handler' },
          { path: '/var/task/lib/util.js', line: 3, label: 'anonymous' },
          { path: 'node:internal/process/task_queues', line: 95, label: 'process.processTicksAndRejections' },
        ],
      },
    ]);
    expect(cause.paths).toEqual([
      '/var/task/index.js',
      '/var/task/lib/util.js',
      'node:internal/process/task_queues',
    ]);
  });

  it('item 27: is valid JSON made of printable ASCII only, so it is a valid header value', () => {
    const cause = xrayErrorCause({ errorType: 'Error', errorMessage: 'naïve ☃\nline', stackTrace: [] }) ?? '';
    expect(cause).toMatch(/^[\x20-\x7e]+$/);
    expect((JSON.parse(cause) as Cause).exceptions[0]?.message).toBe('naïve ☃\nline');
  });

  it('item 27: drops frames to fit, and gives up when even the message does not fit', () => {
    const frames = Array.from(
      { length: 500 },
      (_, i) => `    at fn${i} (/var/task/some/deep/module-${i}.js:${i}:1)`,
    );
    const trimmed = xrayErrorCause({
      errorType: 'Error',
      errorMessage: 'm',
      stackTrace: ['Error: m', ...frames],
    });
    expect(trimmed?.length).toBeLessThanOrEqual(MAX_XRAY_ERROR_CAUSE_BYTES);
    const kept = (JSON.parse(trimmed ?? 'null') as Cause).exceptions[0]?.stack ?? [];
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(500);

    expect(
      xrayErrorCause({
        errorType: 'Error',
        errorMessage: 'x'.repeat(MAX_XRAY_ERROR_CAUSE_BYTES),
        stackTrace: [],
      }),
    ).toBeUndefined();
  });
});

describe('X-Ray error cause on /error', () => {
  let emulator: RuntimeApiEmulator | undefined;
  let started: ReturnType<typeof StartLoop> | undefined;

  afterEach(async () => {
    await started?.stop();
    await emulator?.close();
    await started?.transport.close();
  });

  it('item 27: attaches Lambda-Runtime-Function-XRay-Error-Cause (valid JSON, under 1 MiB) to invocation errors', async () => {
    emulator = await RuntimeApiEmulator.start();
    started = startLoop(emulator, () => {
      throw new RangeError('out of range');
    });
    const result = await emulator.invoke({});

    const header = result.request?.headers['lambda-runtime-function-xray-error-cause'];
    expect(typeof header).toBe('string');
    expect(Buffer.byteLength(String(header))).toBeLessThan(1024 * 1024);
    const cause = JSON.parse(String(header)) as Cause;
    expect(cause.exceptions[0]).toMatchObject({ type: 'RangeError', message: 'out of range' });
    expect(cause.exceptions[0]?.stack.length).toBeGreaterThan(0);
  });

  it('item 27: still answers, without the header, when the cause would not fit', async () => {
    emulator = await RuntimeApiEmulator.start();
    const message = 'y'.repeat(64 * 1024);
    started = startLoop(emulator, () => {
      throw new Error(message);
    });
    const result = await emulator.invoke({});

    expect(result.error?.errorMessage).toBe(message);
    expect(result.request?.headers['lambda-runtime-function-xray-error-cause']).toBeUndefined();
  });
});
