import { describe, expect, it } from 'vitest';
import { parseLambdaVariables, takeSnapshot } from '../src/parse-lambda-variables.js';
import { RedactedCredentials } from '../src/redacted-credentials.js';
import { REQUIRED_ENV, SECRET_ACCESS_KEY, SESSION_TOKEN } from './fixtures.js';

describe('takeSnapshot', () => {
  it('copies every set variable and drops undefined and empty ones when given an env object', () => {
    const snapshot = takeSnapshot({ A: '1', B: '', C: undefined, D: ' ' });

    expect([...snapshot]).toEqual([
      ['A', '1'],
      ['D', ' '],
    ]);
  });

  it('is independent of the env object when that changes afterwards', () => {
    const env: Record<string, string> = { A: '1' };
    const snapshot = takeSnapshot(env);

    env.A = '2';

    expect(snapshot.get('A')).toBe('1');
  });
});

describe('parseLambdaVariables', () => {
  it('returns the variables and no warning when the required variables are valid', () => {
    const result = parseLambdaVariables(takeSnapshot(REQUIRED_ENV));

    expect(result).toEqual({
      ok: true,
      variables: expect.objectContaining({
        runtimeApi: '127.0.0.1:9001',
        functionName: 'my-function',
        functionVersion: '$LATEST',
        memorySizeMb: 128,
        warnings: [],
      }),
    });
  });

  it('returns every problem and no variables when required variables are missing', () => {
    const result = parseLambdaVariables(takeSnapshot({ AWS_LAMBDA_FUNCTION_VERSION: '3' }));

    expect(result).toEqual({
      ok: false,
      problems: [
        'AWS_LAMBDA_RUNTIME_API is not set (the runtime must be started by Lambda or an emulator)',
        'AWS_LAMBDA_FUNCTION_NAME is not set',
        'AWS_LAMBDA_FUNCTION_MEMORY_SIZE is not set',
      ],
    });
  });

  it('prefers AWS_ACCESS_KEY_ID over the legacy AWS_ACCESS_KEY when both are set', () => {
    const result = parseLambdaVariables(
      takeSnapshot({
        ...REQUIRED_ENV,
        AWS_ACCESS_KEY: 'LEGACY',
        AWS_ACCESS_KEY_ID: 'CURRENT',
        AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
      }),
    );

    expect(result.ok && result.variables.credentials?.accessKeyId).toBe('CURRENT');
  });

  it('builds redacting credentials from the legacy AWS_ACCESS_KEY when AWS_ACCESS_KEY_ID is absent', () => {
    const result = parseLambdaVariables(
      takeSnapshot({
        ...REQUIRED_ENV,
        AWS_ACCESS_KEY: 'LEGACY',
        AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
        AWS_SESSION_TOKEN: SESSION_TOKEN,
      }),
    );

    const credentials = result.ok ? result.variables.credentials : undefined;
    expect(credentials).toBeInstanceOf(RedactedCredentials);
    expect(credentials?.accessKeyId).toBe('LEGACY');
    expect(credentials?.sessionToken).toBe(SESSION_TOKEN);
  });

  it('leaves the session token undefined when only the key pair is set', () => {
    const result = parseLambdaVariables(
      takeSnapshot({ ...REQUIRED_ENV, AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY }),
    );

    expect(result.ok && result.variables.credentials?.sessionToken).toBeUndefined();
  });
});
