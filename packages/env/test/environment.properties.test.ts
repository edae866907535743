import { inspect } from 'node:util';
import { EnvironmentError, type LambdaEnvironment } from '@lambda-runtime/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLambdaVariables, takeSnapshot } from '../src/parse-lambda-variables.js';
import { ProcessEnvironmentReader } from '../src/process-environment-reader.js';
import { REQUIRED_ENV } from './fixtures.js';

type Env = Record<string, string | undefined>;

const REQUIRED_NAMES = Object.keys(REQUIRED_ENV) as Array<keyof typeof REQUIRED_ENV>;
const SECRET_NAMES = [
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_LAMBDA_METADATA_TOKEN',
] as const;

/** Runs `read` and returns what it threw, or the environment. */
function attempt(env: Env): { environment?: LambdaEnvironment; error?: unknown } {
  try {
    return { environment: new ProcessEnvironmentReader({ env }).read() };
  } catch (error) {
    return { error };
  }
}

/** Any text a variable could hold, including control characters and astral code points. */
const anyText = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'binary-ascii' }));

/** A value for a variable: absent, empty, the valid one given, or garbage. */
function variable(valid: fc.Arbitrary<string>): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 4, arbitrary: valid },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 2, arbitrary: anyText },
  );
}

const validHostPort = fc
  .tuple(
    fc.constantFrom('127.0.0.1', 'localhost', '[::1]', 'runtime_api.internal'),
    fc.integer({ min: 1, max: 65_535 }),
  )
  .map(([host, port]) => `${host}:${port}`);

/** A whole environment: the required variables (often valid), optional ones, and random extras. */
const environmentMap: fc.Arbitrary<Env> = fc
  .record({
    AWS_LAMBDA_RUNTIME_API: variable(validHostPort),
    AWS_LAMBDA_FUNCTION_NAME: variable(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/)),
    AWS_LAMBDA_FUNCTION_VERSION: variable(fc.constantFrom('$LATEST', '1', '42')),
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: variable(fc.integer({ min: 128, max: 10_240 }).map(String)),
    AWS_LAMBDA_LOG_FORMAT: variable(fc.mixedCase(fc.constantFrom('text', 'json'))),
    AWS_LAMBDA_LOG_LEVEL: variable(
      fc.mixedCase(fc.constantFrom('trace', 'debug', 'info', 'warn', 'error', 'fatal')),
    ),
    AWS_LAMBDA_MAX_CONCURRENCY: variable(fc.integer({ min: 1, max: 64 }).map(String)),
    AWS_LAMBDA_INITIALIZATION_TYPE: variable(fc.constantFrom('on-demand', 'snap-start')),
    AWS_ACCESS_KEY_ID: variable(fc.constant('AKIDEXAMPLE')),
    AWS_CONTAINER_CREDENTIALS_FULL_URI: variable(fc.constant('http://127.0.0.1:9001/2021-04-23/credentials')),
    AWS_LAMBDA_METADATA_API: variable(fc.constant('169.254.100.1:9001')),
  })
  .chain((reserved) =>
    fc
      .dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{1,20}$/), anyText, { maxKeys: 5 })
      // Extras may not replace a reserved variable: the record above decides those.
      .map((extra) => ({ ...extra, ...reserved })),
  );

/**
 * Secret values with a marker no other generated value carries, so finding one anywhere is a leak.
 * Each is set or not, independently.
 */
const secrets = fc.record(
  Object.fromEntries(
    SECRET_NAMES.map((name) => [
      name,
      fc.option(
        fc.stringMatching(/^[A-Za-z0-9/+=]{8,40}$/).map((body) => `zSECRETz${name}${body}`),
        { nil: undefined },
      ),
    ]),
  ) as Record<(typeof SECRET_NAMES)[number], fc.Arbitrary<string | undefined>>,
);

/** Every rendering of a value a log line or error document could be built from. */
function renderings(value: unknown): string[] {
  const texts = [
    String(value),
    JSON.stringify(value) ?? '',
    inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    inspect(value, { depth: 10, customInspect: false, showHidden: true }),
  ];
  if (typeof value === 'object' && value !== null) texts.push(inspect({ ...value }, { depth: 10 }));
  return texts;
}

describe('ProcessEnvironmentReader properties', () => {
  it('items 1, 5, 51: never throws anything but EnvironmentError for any generated variable map', () => {
    fc.assert(
      fc.property(environmentMap, (env) => {
        const { environment, error } = attempt(env);

        if (error !== undefined) {
          expect(error).toBeInstanceOf(EnvironmentError);
          expect((error as EnvironmentError).problems.length).toBeGreaterThan(0);
        } else {
          expect(environment).toBeDefined();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('item 1: reports every required variable that is absent or empty, by name', () => {
    fc.assert(
      fc.property(
        fc.subarray(REQUIRED_NAMES, { minLength: 1 }),
        fc.constantFrom(undefined, ''),
        (missing, value) => {
          const env: Env = { ...REQUIRED_ENV };
          for (const name of missing) env[name] = value;

          const { error } = attempt(env);

          expect(error).toBeInstanceOf(EnvironmentError);
          const problems = (error as EnvironmentError).problems;
          for (const name of missing) {
            expect(problems.some((problem) => problem.startsWith(name))).toBe(true);
          }
          for (const name of REQUIRED_NAMES.filter((n) => !missing.includes(n))) {
            expect(problems.some((problem) => problem.startsWith(name))).toBe(false);
          }
        },
      ),
    );
  });

  it('item 1: rejects with EnvironmentError whenever a required variable is absent, empty or malformed', () => {
    fc.assert(
      fc.property(environmentMap, (env) => {
        const memory = env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '';
        // Necessary conditions only (host validity is finer), so the check runs one way.
        const requiredLookValid =
          /^[A-Za-z0-9_.[\]:-]+:\d{1,5}$/.test(env.AWS_LAMBDA_RUNTIME_API ?? '') &&
          (env.AWS_LAMBDA_FUNCTION_NAME ?? '') !== '' &&
          (env.AWS_LAMBDA_FUNCTION_VERSION ?? '') !== '' &&
          /^[0-9]+$/.test(memory) &&
          Number(memory) >= 1 &&
          Number.isSafeInteger(Number(memory));

        const { error } = attempt(env);

        expect(requiredLookValid || error instanceof EnvironmentError).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('item 5: uses a positive integer AWS_LAMBDA_MAX_CONCURRENCY, else 1 with a warning naming it', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 1, max: 1_000_000 }).map(String),
          anyText,
          fc.constantFrom('0', '-1', '1.5', ' 2', '1e3', '0x10'),
        ),
        (raw) => {
          const environment = new ProcessEnvironmentReader({
            env: { ...REQUIRED_ENV, AWS_LAMBDA_MAX_CONCURRENCY: raw },
          }).read();

          const warned = environment.warnings.some((w) => w.startsWith('AWS_LAMBDA_MAX_CONCURRENCY'));
          if (raw === '') {
            expect(environment.maxConcurrency).toBe(1);
            expect(warned).toBe(false);
          } else if (/^[0-9]+$/.test(raw) && Number(raw) >= 1 && Number.isSafeInteger(Number(raw))) {
            expect(environment.maxConcurrency).toBe(Number(raw));
            expect(warned).toBe(false);
          } else {
            expect(environment.maxConcurrency).toBe(1);
            expect(warned).toBe(true);
          }
        },
      ),
    );
  });

  it('item 5: treats an absent AWS_LAMBDA_MAX_CONCURRENCY as 1 without a warning', () => {
    fc.assert(
      fc.property(environmentMap, (env) => {
        const { environment } = attempt({ ...env, ...REQUIRED_ENV, AWS_LAMBDA_MAX_CONCURRENCY: undefined });

        expect(environment?.maxConcurrency).toBe(1);
        expect(environment?.warnings.some((w) => w.includes('AWS_LAMBDA_MAX_CONCURRENCY'))).toBe(false);
      }),
    );
  });

  it('item 51: reads AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL in any letter case', () => {
    fc.assert(
      fc.property(
        fc.mixedCase(fc.constantFrom('text', 'json')),
        fc.mixedCase(fc.constantFrom('trace', 'debug', 'info', 'warn', 'error', 'fatal')),
        (format, level) => {
          const environment = new ProcessEnvironmentReader({
            env: { ...REQUIRED_ENV, AWS_LAMBDA_LOG_FORMAT: format, AWS_LAMBDA_LOG_LEVEL: level },
          }).read();

          expect(environment.logFormat).toBe(format.toLowerCase() === 'json' ? 'JSON' : 'Text');
          expect(environment.logLevel).toBe(level.toUpperCase());
          expect(environment.warnings).toEqual([]);
        },
      ),
    );
  });

  it('item 51: falls back to Text and INFO with a warning for any other format or level', () => {
    fc.assert(
      fc.property(
        anyText.filter((s) => s !== '' && !['text', 'json'].includes(s.toLowerCase())),
        anyText.filter(
          (s) => s !== '' && !['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].includes(s.toUpperCase()),
        ),
        (format, level) => {
          const environment = new ProcessEnvironmentReader({
            env: { ...REQUIRED_ENV, AWS_LAMBDA_LOG_FORMAT: format, AWS_LAMBDA_LOG_LEVEL: level },
          }).read();

          expect(environment.logFormat).toBe('Text');
          expect(environment.logLevel).toBe('INFO');
          expect(environment.warnings.some((w) => w.startsWith('AWS_LAMBDA_LOG_FORMAT'))).toBe(true);
          expect(environment.warnings.some((w) => w.startsWith('AWS_LAMBDA_LOG_LEVEL'))).toBe(true);
        },
      ),
    );
  });

  it('never shows a secret in String(), JSON, inspect, warnings or error messages of the result', () => {
    fc.assert(
      fc.property(environmentMap, secrets, (env, secretValues) => {
        const values = Object.values(secretValues).filter((v): v is string => v !== undefined);
        fc.pre(values.length > 0);
        const { environment, error } = attempt({ ...env, ...secretValues });

        const texts = environment
          ? [...renderings(environment), ...renderings(environment.credentials), ...environment.warnings]
          : [
              ...renderings(error),
              (error as Error).message,
              (error as Error).stack ?? '',
              ...(error as EnvironmentError).problems,
            ];
        for (const text of texts) {
          for (const secret of values) {
            expect(text).not.toContain(secret);
          }
        }
        // The secrets stay readable through get(): the function may need them.
        for (const [name, value] of Object.entries(secretValues)) {
          if (environment && value !== undefined) expect(environment.get(name)).toBe(value);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('takes one snapshot that drops empty values and never throws for any variable map', () => {
    fc.assert(
      fc.property(fc.dictionary(anyText, fc.option(anyText, { nil: undefined })), (env) => {
        const snapshot = takeSnapshot(env);
        const result = parseLambdaVariables(snapshot);

        for (const [name, value] of Object.entries(env)) {
          expect(snapshot.get(name)).toBe(value === '' ? undefined : value);
        }
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });
});
