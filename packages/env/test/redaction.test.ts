import { format, formatWithOptions, inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ProcessEnvironmentReader } from '../src/process-environment-reader.js';
import { RedactedCredentials } from '../src/redacted-credentials.js';
import { CONTAINER_TOKEN, FULL_ENV, SECRET_ACCESS_KEY, SECRET_VALUES, SESSION_TOKEN } from './fixtures.js';

/** Every way the brief names for a value to end up in a log line or a response. */
function renderings(value: object): Record<string, string> {
  const spread = { ...value };
  return {
    String: String(value),
    template: `${value}`,
    concatenation: `x${value}`,
    'JSON.stringify': JSON.stringify(value),
    'JSON.stringify pretty': JSON.stringify({ nested: value }, null, 2),
    'util.inspect': inspect(value),
    'util.inspect deep, hidden': inspect(value, { showHidden: true, depth: Number.POSITIVE_INFINITY }),
    'util.inspect without custom inspect': inspect(value, {
      customInspect: false,
      showHidden: true,
      depth: 10,
    }),
    'util.format %o': format('%o', value),
    'util.format %O': format('%O', value),
    'util.format %s': format('%s', value),
    'util.format %j': format('%j', value),
    'console-style colors': formatWithOptions({ colors: true }, value),
    'spread inspect': inspect(spread, { showHidden: true, depth: 10 }),
    'spread JSON': JSON.stringify(spread),
    'Object.keys': JSON.stringify(Object.keys(value)),
    'Object.values': inspect(Object.values(value), { depth: 10 }),
    'Object.entries JSON': JSON.stringify(Object.entries(value)),
    'Object.getOwnPropertyNames': JSON.stringify(Object.getOwnPropertyNames(value)),
    structuredClone: inspect(structuredClone(value), { showHidden: true, depth: 10 }),
  };
}

function expectNoSecret(value: object): void {
  for (const [way, text] of Object.entries(renderings(value))) {
    for (const secret of SECRET_VALUES) {
      expect(text, `${way} reveals a secret`).not.toContain(secret);
    }
  }
}

function readFull() {
  return new ProcessEnvironmentReader({ env: { ...FULL_ENV } }).read();
}

describe('ProcessLambdaEnvironment', () => {
  it('reveals no secret value through any rendering when secrets are set', () => {
    const environment = readFull();

    expectNoSecret(environment);
  });

  it('shows [redacted] for the credentials when stringified, serialized or inspected', () => {
    const environment = readFull();

    expect(String(environment)).toContain('"secretAccessKey":"[redacted]"');
    expect(JSON.parse(JSON.stringify(environment)).credentials).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: '[redacted]',
      sessionToken: '[redacted]',
    });
    expect(inspect(environment)).toContain("secretAccessKey: '[redacted]'");
    expect(format('%o', environment)).toContain("sessionToken: '[redacted]'");
  });

  it('shows [redacted] for the container-credentials and metadata tokens, and their addresses', () => {
    const environment = readFull();

    const json = JSON.parse(JSON.stringify(environment));

    expect(json.containerCredentials).toEqual({
      address: 'http://127.0.0.1:9001/2021-04-23/credentials',
      token: '[redacted]',
    });
    expect(json.metadataApi).toEqual({ address: '169.254.100.1:9001', token: '[redacted]' });
    expect(inspect(environment)).toContain("token: '[redacted]'");
    expect(environment.containerCredentials?.token).toBe(CONTAINER_TOKEN);
  });

  it('reveals no token through any rendering of a token endpoint on its own', () => {
    const environment = readFull();

    expectNoSecret(environment.containerCredentials as object);
    expectNoSecret(environment.metadataApi as object);
    expect(String(environment.metadataApi)).toBe(
      'TokenEndpoint(address=169.254.100.1:9001, token=[redacted])',
    );
  });

  it('shows its non-secret fields when inspected', () => {
    const environment = readFull();

    const text = inspect(environment);

    expect(text).toMatch(/^LambdaEnvironment \{/);
    expect(text).toContain("functionName: 'my-function'");
    expect(text).toContain("runtimeApi: '127.0.0.1:9001'");
    expect(text).not.toContain('MY_SETTING');
  });

  it('enumerates only its fields when spread or listed with Object.keys', () => {
    const environment = readFull();

    const keys = Object.keys(environment);

    expect(keys).toEqual([
      'runtimeApi',
      'handler',
      'taskRoot',
      'runtimeDir',
      'region',
      'defaultRegion',
      'executionEnv',
      'functionName',
      'functionVersion',
      'memorySizeMb',
      'initializationType',
      'logGroupName',
      'logStreamName',
      'logFormat',
      'logLevel',
      'maxConcurrency',
      'workerCount',
      'credentials',
      'containerCredentials',
      'metadataApi',
      'xrayDaemonAddress',
      'warnings',
    ]);
    expect(keys).not.toContain('AWS_SECRET_ACCESS_KEY');
    expect(JSON.stringify({ ...environment })).not.toContain(SECRET_ACCESS_KEY);
  });

  it('still reveals the secrets through get and the credentials properties when code asks for them', () => {
    const environment = readFull();

    expect(environment.get('AWS_SESSION_TOKEN')).toBe(SESSION_TOKEN);
    expect(environment.credentials?.secretAccessKey).toBe(SECRET_ACCESS_KEY);
  });
});

describe('RedactedCredentials', () => {
  it('reveals neither the secret key nor the session token through any rendering', () => {
    const credentials = new RedactedCredentials('AKIDEXAMPLE', SECRET_ACCESS_KEY, SESSION_TOKEN);

    expectNoSecret(credentials);
  });

  it('reads the secret parts as properties when code asks for them', () => {
    const credentials = new RedactedCredentials('AKIDEXAMPLE', SECRET_ACCESS_KEY, SESSION_TOKEN);

    expect(credentials.accessKeyId).toBe('AKIDEXAMPLE');
    expect(credentials.secretAccessKey).toBe(SECRET_ACCESS_KEY);
    expect(credentials.sessionToken).toBe(SESSION_TOKEN);
  });

  it('shows [redacted] in place of the secrets when stringified, serialized or inspected', () => {
    const credentials = new RedactedCredentials('AKIDEXAMPLE', SECRET_ACCESS_KEY, SESSION_TOKEN);

    expect(String(credentials)).toBe(
      'Credentials(accessKeyId=AKIDEXAMPLE, secretAccessKey=[redacted], sessionToken=[redacted])',
    );
    expect(JSON.parse(JSON.stringify(credentials))).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: '[redacted]',
      sessionToken: '[redacted]',
    });
    expect(inspect(credentials)).toMatch(/^Credentials \{/);
    expect(inspect(credentials)).toContain("sessionToken: '[redacted]'");
    expect(format('%o', credentials)).toContain("secretAccessKey: '[redacted]'");
  });

  it('enumerates only the access key id when spread or listed with Object.keys', () => {
    const credentials = new RedactedCredentials('AKIDEXAMPLE', SECRET_ACCESS_KEY, SESSION_TOKEN);

    expect(Object.keys(credentials)).toEqual(['accessKeyId']);
    expect({ ...credentials }).toEqual({ accessKeyId: 'AKIDEXAMPLE' });
  });

  it('shows no session token when there is none', () => {
    const credentials = new RedactedCredentials('AKIDEXAMPLE', SECRET_ACCESS_KEY, undefined);

    expect(credentials.sessionToken).toBeUndefined();
    expect(String(credentials)).toBe('Credentials(accessKeyId=AKIDEXAMPLE, secretAccessKey=[redacted])');
    expect(JSON.parse(JSON.stringify(credentials))).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: '[redacted]',
    });
  });
});

describe('ProcessLambdaEnvironment.redact', () => {
  it('replaces every secret value wherever it appears in a text', () => {
    const environment = new ProcessEnvironmentReader({ env: FULL_ENV }).read();
    const text = `a=${SECRET_ACCESS_KEY} b={"t":"${SESSION_TOKEN}"} c=${CONTAINER_TOKEN}${CONTAINER_TOKEN}`;

    const redacted = environment.redact(text);

    for (const secret of SECRET_VALUES) {
      expect(redacted).not.toContain(secret);
    }
    expect(redacted).toBe('a=[redacted] b={"t":"[redacted]"} c=[redacted][redacted]');
  });

  it('leaves a text without secrets, and values too short to be secrets, unchanged', () => {
    const environment = new ProcessEnvironmentReader({
      env: { ...FULL_ENV, AWS_SESSION_TOKEN: 'abc' },
    }).read();
    expect(environment.redact('plain abc text')).toBe('plain abc text');
  });

  it('redacts credentials written into the variables after the read, and keeps redacting the old ones', () => {
    const live: Record<string, string | undefined> = { ...FULL_ENV };
    const environment = new ProcessEnvironmentReader({ env: live }).read();
    const assumedKey = 'assumed/Role+SecretAccessKey-after-start';
    const assumedToken = 'assumedRoleSessionToken-after-start';
    const containerToken = 'container-token-set-after-start';

    live.AWS_SECRET_ACCESS_KEY = assumedKey;
    live.AWS_SESSION_TOKEN = assumedToken;
    const first = environment.redact(`${assumedKey} ${assumedToken} ${SECRET_ACCESS_KEY}`);
    delete live.AWS_CONTAINER_AUTHORIZATION_TOKEN;
    live.AWS_CONTAINER_AUTHORIZATION_TOKEN = containerToken;
    const second = environment.redact(`${containerToken} ${CONTAINER_TOKEN} ${assumedKey}`);

    expect(first).toBe('[redacted] [redacted] [redacted]');
    expect(second).toBe('[redacted] [redacted] [redacted]');
    expect(environment.get('AWS_SECRET_ACCESS_KEY')).toBe(SECRET_ACCESS_KEY);
  });

  it('redacts a secret written URL-encoded, as in a presigned URL', () => {
    const token = 'IQoJb3JpZ2lu/X2VjE+token==';
    const environment = new ProcessEnvironmentReader({
      env: { ...FULL_ENV, AWS_SESSION_TOKEN: token },
    }).read();

    const redacted = environment.redact(
      `https://b.s3.amazonaws.com/k?X-Amz-Security-Token=${encodeURIComponent(token)}&x=1`,
    );

    expect(redacted).toBe('https://b.s3.amazonaws.com/k?X-Amz-Security-Token=[redacted]&x=1');
  });

  it('reads a prototype copy of the credentials as redacted instead of throwing', () => {
    const credentials = new RedactedCredentials('AKIDEXAMPLE', SECRET_ACCESS_KEY, SESSION_TOKEN);
    const copy = Object.create(RedactedCredentials.prototype) as RedactedCredentials;
    expect(copy.secretAccessKey).toBe('[redacted]');
    expect(copy.sessionToken).toBe('[redacted]');
    expect(credentials.secretAccessKey).toBe(SECRET_ACCESS_KEY);
  });
});
