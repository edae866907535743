import { describe, expect, it } from 'vitest';
import { InvocationReporter } from '../src/invocation-reporter.js';
import { CapturedOutput } from './support/supervised.js';

function reporter(options: { colour?: boolean; env?: NodeJS.ProcessEnv; tty?: boolean } = {}) {
  const output = new CapturedOutput();
  if (options.tty === true) Object.assign(output, { isTTY: true, hasColors: () => true });
  const instance = new InvocationReporter({
    output,
    colour: options.colour,
    env: options.env ?? {},
    functionVersion: '$LATEST',
    memorySizeMb: 128,
  });
  return { output, instance };
}

describe('InvocationReporter', () => {
  it('writes START, END and a tab-separated REPORT with the Init Duration billed with the Duration when cold', () => {
    const { output, instance } = reporter();

    instance.start('id-1');
    instance.end({ requestId: 'id-1', durationMs: 12.344, initDurationMs: 150.12, maxMemoryUsedMb: 45 });

    expect(output.text).toBe(
      'START RequestId: id-1 Version: $LATEST\n' +
        'END RequestId: id-1\n' +
        'REPORT RequestId: id-1\tDuration: 12.34 ms\tBilled Duration: 163 ms\tMemory Size: 128 MB\tMax Memory Used: 45 MB\tInit Duration: 150.12 ms\t\n',
    );
  });

  it('rounds the Billed Duration up to the next millisecond, at least 1, when warm', () => {
    const { output, instance } = reporter();

    instance.end({ requestId: 'a', durationMs: 2.01, maxMemoryUsedMb: 40 });
    instance.end({ requestId: 'b', durationMs: 0.2, maxMemoryUsedMb: 40 });

    expect(output.text).toContain('REPORT RequestId: a\tDuration: 2.01 ms\tBilled Duration: 3 ms\t');
    expect(output.text).toContain('REPORT RequestId: b\tDuration: 0.20 ms\tBilled Duration: 1 ms\t');
  });

  it('adds Status and Error Type when the platform ended the invocation', () => {
    const { output, instance } = reporter();

    instance.end({
      requestId: 'x',
      durationMs: 1000,
      maxMemoryUsedMb: 50,
      status: 'error',
      errorType: 'Runtime.ExitError',
    });
    instance.initReport({ durationMs: 10_000.5, status: 'timeout' });

    expect(output.text).toContain(
      '\tMax Memory Used: 50 MB\tStatus: error\tError Type: Runtime.ExitError\t\n',
    );
    expect(output.text).toContain('INIT_REPORT Init Duration: 10000.50 ms\tPhase: init\tStatus: timeout\t\n');
  });

  it('starts its line on a new line when the runtime’s output stopped mid-line', () => {
    const { output, instance } = reporter();

    instance.start('id');
    instance.runtimeOutput('no newline');
    instance.end({ requestId: 'id', durationMs: 1, maxMemoryUsedMb: 1 });

    expect(output.lines.slice(0, 3)).toEqual([
      'START RequestId: id Version: $LATEST',
      'no newline',
      'END RequestId: id',
    ]);
  });

  it.each([
    ['a colour TTY', { tty: true, env: {} }, true],
    ['a colour TTY with NO_COLOR', { tty: true, env: { NO_COLOR: '1' } }, false],
    ['a pipe', { tty: false, env: {} }, false],
    ['a pipe with FORCE_COLOR=1', { tty: false, env: { FORCE_COLOR: '1' } }, true],
    ['a colour TTY with FORCE_COLOR=0', { tty: true, env: { FORCE_COLOR: '0' } }, false],
    ['a pipe with colour: true', { tty: false, env: {}, colour: true }, true],
    ['a colour TTY with colour: false', { tty: true, env: {}, colour: false }, false],
  ])('colours its lines (%s) as the terminal and NO_COLOR / FORCE_COLOR say', (_case, options, coloured) => {
    const { output, instance } = reporter(options);

    instance.start('id');
    instance.runtimeOutput('runtime line\n');

    expect(instance.colour).toBe(coloured);
    expect(output.text.startsWith('\u001b[36mSTART RequestId: id')).toBe(coloured);
    expect(output.text.endsWith('\nruntime line\n')).toBe(true);
  });
});
