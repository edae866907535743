import { fileURLToPath } from 'node:url';
import { type RecordedRequest, RuntimeApiEmulator, type SpawnedRuntime } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { until } from './support.js';

const fixture = fileURLToPath(new URL('./fixtures/secrets-runtime.mjs', import.meta.url));

// Fake, but distinctive enough that any appearance is this value and not a coincidence.
const ACCESS_KEY_ID = 'AKIASCANNERTEST7Q3XZ';
const SECRETS = {
  AWS_SECRET_ACCESS_KEY: 'scan/SecretAccessKey/k8Jq2VwX9pLm4RtZ0yNb',
  AWS_SESSION_TOKEN: 'scanSessionToken-IQoJb3JpZ2luX2VjEJr-7fQ2',
  AWS_CONTAINER_AUTHORIZATION_TOKEN: 'scanContainerAuthToken-Zx81Lq0Pw',
  AWS_LAMBDA_METADATA_TOKEN: 'scanMetadataToken-Hq52Nv7Rm',
} as const;

/** Written into process.env by the fixture at run time, as a role assumed by the handler (same values there). */
const ASSUMED = {
  ASSUMED_SECRET_ACCESS_KEY: 'assumed/RoleSecretAccessKey/Qw3Er5Ty7Ui9',
  ASSUMED_SESSION_TOKEN: 'assumedRoleSessionToken+Zx9Cv7Bn5Mm3==',
} as const;

/** Every value that must never appear, by the name the report gives it. */
const ALL_SECRETS: Readonly<Record<string, string>> = {
  ...SECRETS,
  ...ASSUMED,
  // Its URL-encoded form, as in a presigned URL, is the same secret.
  ASSUMED_SESSION_TOKEN_URL_ENCODED: encodeURIComponent(ASSUMED.ASSUMED_SESSION_TOKEN),
};

// A secret cut by a bound shows its first characters: any 12 of them in a row are a leak.
const PREFIX_CHARS = 12;

const FUNCTION_ENV = {
  ...SECRETS,
  AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:9/2021-04-23/credentials',
  AWS_LAMBDA_METADATA_API: '127.0.0.1:9',
  AWS_LAMBDA_LOG_LEVEL: 'TRACE',
};

// The access key id is not a secret (the environment shows it); it or a redaction marker in the
// output shows that the credentials were rendered somewhere the scan looked.
const CREDENTIAL_MARKERS = new RegExp(`${ACCESS_KEY_ID}|\\[redacted\\]|\\[Redacted\\]`, 'g');

/** What the fixture does per invocation (see fixtures/secrets-runtime.mjs). */
const CASES = [
  'log-environment',
  'log-process-env',
  'console',
  'console-every-method',
  'around-the-logger',
  'throw-long-secret-message',
  'throw-long-secret-type',
  'throw-env-message',
  'throw-error-with-env',
  'throw-process-env-message',
  'throw-object',
  'reject-with-process-env',
  'result-circular',
  'result-bigint',
  'result-tojson-throws',
  // Last: from here on process.env holds the assumed credentials.
  'assume-role',
] as const;

/** The largest error document body the runtime may post (see boundErrorDocument): well under 1 MiB. */
const MAX_ERROR_BODY_BYTES = 1024 * 1024;

/** One place a secret was found: where, which secret, and the text around it. */
interface Leak {
  readonly where: string;
  readonly secret: string;
  readonly excerpt: string;
}

/**
 * Every occurrence of every secret in `text`, or of its first characters (what a cut secret leaves),
 * each with 60 characters of context.
 */
function findSecrets(where: string, text: string): Leak[] {
  const leaks: Leak[] = [];
  for (const [name, value] of Object.entries(ALL_SECRETS)) {
    const prefix = value.slice(0, PREFIX_CHARS);
    let at = text.indexOf(prefix);
    while (at !== -1) {
      leaks.push({ where, secret: name, excerpt: text.slice(Math.max(0, at - 60), at + value.length + 20) });
      at = text.indexOf(prefix, at + 1);
    }
  }
  return leaks;
}

/** Names the invocation (case) a log line belongs to, by the request id it carries. */
function lineOwner(line: string, caseByRequestId: ReadonlyMap<string, string>): string {
  for (const [requestId, name] of caseByRequestId) {
    if (line.includes(requestId)) return `case ${name}`;
  }
  return 'no request id (init or runtime)';
}

interface Scan {
  readonly leaks: Leak[];
  /** Characters scanned, to prove the scan looked at something. */
  readonly scannedChars: number;
  /**
   * How often the non-secret access key id or a redaction marker was seen: proof that renderings
   * of the credentials were among the scanned text.
   */
  readonly credentialRenderings: number;
}

function scan(
  runtime: SpawnedRuntime,
  requests: readonly RecordedRequest[],
  caseByRequestId: ReadonlyMap<string, string>,
): Scan {
  const leaks: Leak[] = [];
  let scannedChars = 0;
  let credentialRenderings = 0;
  const look = (where: string, text: string): void => {
    scannedChars += text.length;
    credentialRenderings += text.split(CREDENTIAL_MARKERS).length - 1;
    leaks.push(...findSecrets(where, text));
  };
  for (const [stream, text] of [
    ['stdout', runtime.stdout],
    ['stderr', runtime.stderr],
  ] as const) {
    text.split('\n').forEach((line, index) => {
      look(`${stream} line ${index + 1} (${lineOwner(line, caseByRequestId)})`, line);
    });
  }
  for (const request of requests) {
    const owner = request.requestId === undefined ? '' : ` (case ${caseByRequestId.get(request.requestId)})`;
    const where = `${request.method} ${request.path}${owner}`;
    look(`${where} path`, request.path);
    for (const [name, value] of Object.entries(request.headers)) look(`${where} header ${name}`, value);
    for (const [name, value] of Object.entries(request.trailers)) look(`${where} trailer ${name}`, value);
    look(`${where} body`, request.body.toString('utf8'));
  }
  return { leaks, scannedChars, credentialRenderings };
}

/** Logging calls the fixture saw throw (it reports them on stderr and carries on). */
function loggingFailures(runtime: SpawnedRuntime): string[] {
  return runtime.stderr.split('\n').filter((line) => line.startsWith('LOGGING_FAILURE'));
}

function describeLeaks(leaks: readonly Leak[]): string {
  return leaks.map((leak) => `${leak.secret} in ${leak.where}: …${leak.excerpt}…`).join('\n');
}

describe('secrets in a real runtime process', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('finds a planted secret and a cut one, so a clean scan means something', () => {
    const planted = `prefix ${SECRETS.AWS_SESSION_TOKEN} suffix ${ASSUMED.ASSUMED_SECRET_ACCESS_KEY.slice(0, 20)}…`;

    expect(findSecrets('planted', planted).map((leak) => leak.secret)).toEqual([
      'AWS_SESSION_TOKEN',
      'ASSUMED_SECRET_ACCESS_KEY',
    ]);
  });

  it.each(['Text', 'JSON'])(
    'never writes a secret to stdout, stderr or the Runtime API when handlers log, throw and return bad results (%s, TRACE)',
    async (format) => {
      const runtime = emulator.spawn({
        command: process.execPath,
        args: [fixture],
        env: { ...FUNCTION_ENV, AWS_LAMBDA_LOG_FORMAT: format },
      });
      const caseByRequestId = new Map<string, string>();
      const statuses: Record<string, string> = {};

      for (const name of CASES) {
        const result = await emulator.invoke({ case: name });
        caseByRequestId.set(result.requestId, name);
        statuses[name] = result.status;
      }
      // The answer to the last case is posted after its log lines were written; wait for the next poll.
      await until(() => emulator.requests.filter((r) => r.endpoint === 'next').length === CASES.length + 1);
      runtime.kill('SIGTERM');
      await runtime.waitForExit(5_000);
      const { leaks, scannedChars, credentialRenderings } = scan(runtime, emulator.requests, caseByRequestId);

      expect(statuses['log-environment']).toBe('success');
      expect(statuses['console-every-method']).toBe('success');
      expect(statuses['throw-object']).toBe('error');
      expect(statuses['result-circular']).toBe('error');
      expect(statuses['throw-long-secret-message']).toBe('error');
      expect(statuses['assume-role']).toBe('error');
      const errorBodies = emulator.requests.filter((r) => r.endpoint === 'error').map((r) => r.body.length);
      expect(Math.max(...errorBodies)).toBeLessThan(MAX_ERROR_BODY_BYTES);
      expect(runtime.stdout.length).toBeGreaterThan(10_000);
      expect(scannedChars).toBeGreaterThan(runtime.stdout.length);
      expect(credentialRenderings).toBeGreaterThan(0);
      expect(errorBodies.length).toBeGreaterThanOrEqual(11);
      // Output written around the logger was seen (and redacted), not lost.
      expect(runtime.stdout).toContain('case stdout.write');
      expect(runtime.stderr).toContain('case stderr.write [redacted]');
      for (const seen of [
        'case warning [redacted]',
        'case inspect.custom',
        'case early console.log',
        'case assumed [redacted]',
      ]) {
        expect(runtime.stdout).toContain(seen);
      }
      expect.soft(leaks, describeLeaks(leaks)).toEqual([]);
      expect.soft(loggingFailures(runtime)).toEqual([]);
    },
  );

  it.each(['Text', 'JSON'])(
    'never writes a secret to the output or /init/error when initialisation logs the environment and fails (%s, TRACE)',
    async (format) => {
      const runtime = emulator.spawn({
        command: process.execPath,
        args: [fixture],
        env: { ...FUNCTION_ENV, AWS_LAMBDA_LOG_FORMAT: format, FIXTURE_MODE: 'init-fails' },
      });

      const exit = await runtime.waitForExit(10_000);
      const { leaks, scannedChars, credentialRenderings } = scan(runtime, emulator.requests, new Map());

      expect(exit.code).not.toBe(0);
      const initErrors = emulator.requests.filter((r) => r.endpoint === 'init-error');
      expect(initErrors).toHaveLength(1);
      expect(initErrors[0]?.body.length).toBeGreaterThan(0);
      expect(runtime.stdout.length).toBeGreaterThan(10_000);
      expect(scannedChars).toBeGreaterThan(runtime.stdout.length);
      expect(credentialRenderings).toBeGreaterThan(0);
      expect.soft(leaks, describeLeaks(leaks)).toEqual([]);
      expect.soft(loggingFailures(runtime)).toEqual([]);
    },
  );

  it.each(['Text', 'JSON'])(
    'item 29: never writes a secret to the output, /error or its X-Ray cause when an uncaught exception ends the process (%s, TRACE)',
    async (format) => {
      const runtime = emulator.spawn({
        command: process.execPath,
        args: [fixture],
        env: { ...FUNCTION_ENV, AWS_LAMBDA_LOG_FORMAT: format },
      });

      const result = await emulator.invoke({ case: 'crash-uncaught' });
      const exit = await runtime.waitForExit(10_000);
      const { leaks, scannedChars } = scan(
        runtime,
        emulator.requests,
        new Map([[result.requestId, 'crash-uncaught']]),
      );

      expect(exit.code).toBe(1);
      expect(result.status).toBe('error');
      expect(result.request?.headers['lambda-runtime-function-xray-error-cause']).toContain('[redacted]');
      expect(runtime.stdout).toMatch(/FATAL/);
      expect(scannedChars).toBeGreaterThan(1_000);
      expect.soft(leaks, describeLeaks(leaks)).toEqual([]);
    },
  );
});
