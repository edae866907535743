import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { commandFailed, defineCommand } from '../src/command.js';
import { type CommandArgsSpec, type CommandOptions, parseCommandArgs } from '../src/command-args.js';
import { DevToolError } from '../src/dev-tool-error.js';
import { ScaffoldError } from '../src/scaffold/scaffold-error.js';
import { captureOutput } from './capture-output.js';

const USAGE = 'Usage: lambda-dev demo <name> [--out <dir>]\n';

const spec = {
  command: 'demo',
  usage: USAGE,
  options: { out: { type: 'string' }, tag: { type: 'string', multiple: true } },
  checkPositionals: (positionals: readonly string[]) =>
    positionals.length === 1 ? undefined : `expected one <name>, got ${positionals.length}`,
} satisfies CommandArgsSpec<CommandOptions>;

describe('parseCommandArgs', () => {
  it('returns the options and positionals when the arguments are right', () => {
    const parsed = parseCommandArgs(['orders', '--out', 'build', '--tag', 'a', '--tag', 'b'], spec);

    expect(parsed).toEqual({
      values: { out: 'build', tag: ['a', 'b'] },
      positionals: ['orders'],
    });
  });

  it('prints the usage on stdout and returns 0 when given -h', async () => {
    let parsed: unknown;

    const { code, stdout, stderr } = await captureOutput(async () => {
      parsed = parseCommandArgs(['-h'], spec);
      return 0;
    }, tmpdir());

    expect(code).toBe(0);
    expect(parsed).toBe(0);
    expect(stdout).toBe(USAGE);
    expect(stderr).toBe('');
  });

  it.each([
    [['orders', '--nope'], "lambda-dev demo: Unknown option '--nope'"],
    [['orders', '--out'], "lambda-dev demo: Option '--out <value>' argument missing"],
    [[], 'lambda-dev demo: expected one <name>, got 0'],
  ])('prints the problem and the usage on stderr and returns 2 when given %j', async (argv, problem) => {
    let parsed: unknown;

    const { stdout, stderr } = await captureOutput(async () => {
      parsed = parseCommandArgs(argv, spec);
      return 0;
    }, tmpdir());

    expect(parsed).toBe(2);
    expect(stderr.startsWith(problem)).toBe(true);
    expect(stderr.endsWith(`\n\n${USAGE}`)).toBe(true);
    expect(stdout).toBe('');
  });
});

describe('commandFailed', () => {
  it.each([
    [new DevToolError('ERR_USAGE', 'bad --arch'), 2, 'lambda-dev demo: bad --arch\n'],
    [new DevToolError('ERR_NODE_DOWNLOAD', 'offline'), 1, 'lambda-dev demo: offline\n'],
    [
      new ScaffoldError('TARGET_NOT_EMPTY', 'orders is not empty'),
      2,
      'lambda-dev demo: orders is not empty\n',
    ],
    [new Error('disk full'), 1, 'lambda-dev demo: disk full\n'],
    ['thrown text', 1, 'lambda-dev demo: thrown text\n'],
  ])('reports %s on stderr and returns %i', async (error, exitCode, message) => {
    const { code, stderr } = await captureOutput(async () => commandFailed('demo', error), tmpdir());

    expect(code).toBe(exitCode);
    expect(stderr).toBe(message);
  });
});

describe('defineCommand', () => {
  it('runs with the parsed arguments when they are right', async () => {
    const seen: unknown[] = [];
    const command = defineCommand({
      ...spec,
      name: 'demo',
      summary: 'a demo',
      async run(args) {
        seen.push(args);
        return 0;
      },
    });

    const code = await command.run(['orders', '--out', 'build']);

    expect(code).toBe(0);
    expect(seen).toEqual([{ values: { out: 'build' }, positionals: ['orders'] }]);
  });

  it('returns the usage exit code without running when the arguments are wrong', async () => {
    let ran = false;
    const command = defineCommand({
      ...spec,
      name: 'demo',
      summary: 'a demo',
      async run() {
        ran = true;
        return 0;
      },
    });

    const { code, stderr } = await captureOutput(() => command.run([]), tmpdir());

    expect(code).toBe(2);
    expect(ran).toBe(false);
    expect(stderr).toContain('lambda-dev demo: expected one <name>, got 0');
  });

  it('reports what run throws and returns its exit code when the work fails', async () => {
    const command = defineCommand({
      ...spec,
      name: 'demo',
      summary: 'a demo',
      async run() {
        throw new DevToolError('ERR_USAGE', '--arch must be x86_64 or arm64');
      },
    });

    const { code, stderr } = await captureOutput(() => command.run(['orders']), tmpdir());

    expect(code).toBe(2);
    expect(stderr).toBe('lambda-dev demo: --arch must be x86_64 or arm64\n');
  });
});
