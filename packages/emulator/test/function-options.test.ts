import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FUNCTION_CLI_OPTIONS,
  FunctionOptionsError,
  resolveFunctionOptions,
} from '../src/function-options.js';
import { FAKE_CREDENTIALS } from '../src/runtime-environment.js';

function parse(args: string[]) {
  return parseArgs({ args, options: FUNCTION_CLI_OPTIONS, strict: true }).values;
}

function usageError(run: () => unknown): FunctionOptionsError {
  try {
    run();
  } catch (error) {
    if (error instanceof FunctionOptionsError) return error;
    throw error;
  }
  throw new Error('expected a FunctionOptionsError');
}

describe('resolveFunctionOptions', () => {
  let dir: string | undefined;

  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('turns every function option into emulator options when they are valid', () => {
    dir = mkdtempSync(join(tmpdir(), 'function-options-'));
    writeFileSync(join(dir, 'base.env'), 'A_VAR=base\nB_VAR="quoted value"\n');
    writeFileSync(join(dir, 'local.env'), 'B_VAR=local\n');
    const values = parse([
      '--env-file',
      'base.env',
      '--env-file',
      'local.env',
      '-e',
      'A_VAR=flag',
      '--env',
      'EMPTY=',
      '--handler',
      'index.handler',
      '--memory',
      '512',
      '--timeout',
      '30',
      '--function-name',
      'orders',
      '--region',
      'eu-west-1',
    ]);

    const options = resolveFunctionOptions(values, {
      cwd: dir,
      parentEnv: { AWS_ACCESS_KEY_ID: 'AKIAREAL' },
    });

    expect(options).toEqual({
      environment: { A_VAR: 'flag', B_VAR: 'local', EMPTY: '' },
      handler: 'index.handler',
      memorySizeMb: 512,
      timeoutSeconds: 30,
      functionName: 'orders',
      region: 'eu-west-1',
    });
  });

  it('replaces the fake credentials with the developer’s when --pass-credentials is given', () => {
    const options = resolveFunctionOptions(parse(['--pass-credentials']), {
      cwd: '.',
      parentEnv: { AWS_ACCESS_KEY_ID: 'AKIAREAL', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'eu-west-1' },
    });

    expect(options.environment).toEqual({
      ...Object.fromEntries(Object.keys(FAKE_CREDENTIALS).map((name) => [name, undefined])),
      AWS_ACCESS_KEY_ID: 'AKIAREAL',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
  });

  it('rejects a reserved variable from an env file, naming the file but not the value', () => {
    dir = mkdtempSync(join(tmpdir(), 'function-options-'));
    writeFileSync(join(dir, '.env'), 'AWS_SESSION_TOKEN=very-secret\n');

    const error = usageError(() =>
      resolveFunctionOptions(parse(['--env-file', '.env']), { cwd: dir ?? '.', parentEnv: {} }),
    );

    expect(error).toMatchObject({ code: 'ERR_LAMBDA_EMULATOR_USAGE', option: '--env-file' });
    expect(error.message).toBe(
      '--env-file: AWS_SESSION_TOKEN (in .env) is reserved by Lambda and cannot be set as a function variable; use --pass-credentials',
    );
    expect(error.message).not.toContain('very-secret');
  });

  it('does not echo an --env argument without "=" that is not a variable name', () => {
    const error = usageError(() =>
      resolveFunctionOptions(parse(['--env', 'sk-live-0123/abc']), { cwd: '.', parentEnv: {} }),
    );

    expect(error.message).toBe('--env: expected KEY=VALUE, got an argument without "="');
  });

  it('reports a missing env file with its code when it cannot be read', () => {
    const error = usageError(() =>
      resolveFunctionOptions({ 'env-file': ['nope.env'] }, { cwd: tmpdir(), parentEnv: {} }),
    );

    expect(error.message).toBe('--env-file: cannot read nope.env (ENOENT)');
    expect(error.cause).toBeInstanceOf(Error);
  });
});
