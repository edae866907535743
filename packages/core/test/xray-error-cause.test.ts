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

  it('item 27: drops frames to fit when the stack is long', () => {
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
  });

  it.each([
    ['ASCII', 'x'],
    ['escaped', '\u2603'],
  ])(
    'item 27: cuts a long %s message to fit, marked with the number of characters dropped, and keeps frames',
    (_kind, character) => {
      const message = character.repeat(3 * 1024 * 1024);

      const cause = xrayErrorCause({
        errorType: 'Error',
        errorMessage: message,
        stackTrace: ['Error: …', '    at handler (/var/task/index.js:1:1)'],
      });

      expect(cause?.length).toBeLessThanOrEqual(MAX_XRAY_ERROR_CAUSE_BYTES);
      const exception = (JSON.parse(cause ?? 'null') as Cause).exceptions[0];
      expect(exception?.message).toMatch(/^(x|\u2603)+… \[truncated \d+ characters\]$/);
      const dropped = Number(/truncated (\d+) characters/.exec(exception?.message ?? '')?.[1]);
      expect(dropped + (exception?.message.indexOf('…') ?? 0)).toBe(message.length);
      expect(exception?.stack).toHaveLength(1);
    },
  );

  it('item 27: gives up when even the type does not fit', () => {
    const cause = xrayErrorCause({
      errorType: 'E'.repeat(MAX_XRAY_ERROR_CAUSE_BYTES),
      errorMessage: 'm',
      stackTrace: [],
    });

    expect(cause).toBeUndefined();
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

  it('item 27: sends the cause with the message cut, and the whole message in the body, when the message is long', async () => {
    emulator = await RuntimeApiEmulator.start();
    const message = 'y'.repeat(64 * 1024);
    started = startLoop(emulator, () => {
      throw new Error(message);
    });
    const result = await emulator.invoke({});

    const header = result.request?.headers['lambda-runtime-function-xray-error-cause'] ?? '';
    expect(result.error?.errorMessage).toBe(message);
    expect(header.length).toBeLessThanOrEqual(MAX_XRAY_ERROR_CAUSE_BYTES);
    expect((JSON.parse(header) as Cause).exceptions[0]?.message).toMatch(
      /^y+… \[truncated \d+ characters\]$/,
    );
  });
});
