import { inspect } from 'node:util';
import { EnvironmentError, type LambdaEnvironment } from '@lambda-runtime/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProcessEnvironmentReader } from '../src/process-environment-reader.js';
import {
  CONTAINER_TOKEN,
  FULL_ENV,
  METADATA_TOKEN,
  REQUIRED_ENV,
  SECRET_ACCESS_KEY,
  SESSION_TOKEN,
} from './fixtures.js';

function read(env: Record<string, string | undefined>): LambdaEnvironment {
  return new ProcessEnvironmentReader({ env }).read();
}

function readError(env: Record<string, string | undefined>): EnvironmentError {
  try {
    read(env);
  } catch (error) {
    if (error instanceof EnvironmentError) return error;
    throw error;
  }
  throw new Error('read() did not throw');
}

describe('ProcessEnvironmentReader', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  describe('mapping', () => {
    it('maps every reserved variable to its field when all are set', () => {
      const environment = read({ ...FULL_ENV });

      expect(environment).toMatchObject({
        runtimeApi: '127.0.0.1:9001',
        handler: 'index.handler',
        taskRoot: '/var/task',
        runtimeDir: '/var/runtime',
        region: 'eu-west-1',
        defaultRegion: 'us-east-1',
        executionEnv: 'AWS_Lambda_nodejs20.x',
        xrayDaemonAddress: '169.254.79.129:2000',
        functionName: 'my-function',
        functionVersion: '$LATEST',
        memorySizeMb: 128,
        initializationType: 'provisioned-concurrency',
        logGroupName: '/aws/lambda/my-function',
        logStreamName: '2024/01/14/[$LATEST]425d',
        logFormat: 'JSON',
        logLevel: 'DEBUG',
        maxConcurrency: 8,
        warnings: [],
      });
      expect(environment.credentials?.accessKeyId).toBe('AKIDEXAMPLE');
      expect(environment.credentials?.secretAccessKey).toBe(SECRET_ACCESS_KEY);
      expect(environment.credentials?.sessionToken).toBe(SESSION_TOKEN);
      expect(environment.containerCredentials?.address).toBe('http://127.0.0.1:9001/2021-04-23/credentials');
      expect(environment.containerCredentials?.token).toBe(CONTAINER_TOKEN);
      expect(environment.metadataApi?.address).toBe('169.254.100.1:9001');
      expect(environment.metadataApi?.token).toBe(METADATA_TOKEN);
    });

    it('leaves the token endpoints undefined and warns by name only when a token comes without its address', () => {
      const environment = read({
        ...REQUIRED_ENV,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER_TOKEN,
        AWS_LAMBDA_METADATA_TOKEN: METADATA_TOKEN,
      });

      expect(environment.containerCredentials).toBeUndefined();
      expect(environment.metadataApi).toBeUndefined();
      expect(environment.warnings).toEqual([
        'AWS_CONTAINER_AUTHORIZATION_TOKEN is set but AWS_CONTAINER_CREDENTIALS_FULL_URI is not; ignored',
        'AWS_LAMBDA_METADATA_TOKEN is set but AWS_LAMBDA_METADATA_API is not; ignored',
      ]);
    });

    it('keeps an endpoint without a token when only the address is set', () => {
      const environment = read({ ...REQUIRED_ENV, AWS_LAMBDA_METADATA_API: '169.254.100.1:9001' });

      expect(environment.metadataApi?.address).toBe('169.254.100.1:9001');
      expect(environment.metadataApi?.token).toBeUndefined();
      expect(environment.defaultRegion).toBeUndefined();
      expect(environment.xrayDaemonAddress).toBeUndefined();
    });

    it('uses the defaults and no warning when only the required variables are set', () => {
      const environment = read({ ...REQUIRED_ENV });

      expect(environment).toMatchObject({
        handler: undefined,
        taskRoot: undefined,
        runtimeDir: undefined,
        region: undefined,
        executionEnv: undefined,
        initializationType: 'on-demand',
        logGroupName: undefined,
        logStreamName: undefined,
        logFormat: 'Text',
        logLevel: 'INFO',
        maxConcurrency: 1,
        credentials: undefined,
        warnings: [],
      });
    });

    it('item 4: leaves logGroupName and logStreamName undefined when they are absent (SnapStart)', () => {
      const environment = read({ ...REQUIRED_ENV, AWS_LAMBDA_INITIALIZATION_TYPE: 'snap-start' });

      expect(environment.initializationType).toBe('snap-start');
      expect(environment.logGroupName).toBeUndefined();
      expect(environment.logStreamName).toBeUndefined();
      expect(environment.warnings).toEqual([]);
    });

    it('takes the region from AWS_DEFAULT_REGION when AWS_REGION is absent or empty', () => {
      const absent = read({ ...REQUIRED_ENV, AWS_DEFAULT_REGION: 'us-east-1' });
      const empty = read({ ...REQUIRED_ENV, AWS_REGION: '', AWS_DEFAULT_REGION: 'us-east-1' });

      expect(absent.region).toBe('us-east-1');
      expect(empty.region).toBe('us-east-1');
    });

    it('treats empty optional variables as absent when they are set to ""', () => {
      const environment = read({
        ...REQUIRED_ENV,
        _HANDLER: '',
        AWS_LAMBDA_LOG_FORMAT: '',
        AWS_LAMBDA_LOG_LEVEL: '',
        AWS_LAMBDA_MAX_CONCURRENCY: '',
        AWS_LAMBDA_INITIALIZATION_TYPE: '',
      });

      expect(environment.handler).toBeUndefined();
      expect(environment).toMatchObject({
        logFormat: 'Text',
        logLevel: 'INFO',
        maxConcurrency: 1,
        initializationType: 'on-demand',
        warnings: [],
      });
    });

    it.each([
      ['json', 'JSON'],
      ['Json', 'JSON'],
      ['TEXT', 'Text'],
      ['text', 'Text'],
    ])('item 51: reads AWS_LAMBDA_LOG_FORMAT case-insensitively when it is %j', (value, expected) => {
      const environment = read({ ...REQUIRED_ENV, AWS_LAMBDA_LOG_FORMAT: value });

      expect(environment.logFormat).toBe(expected);
      expect(environment.warnings).toEqual([]);
    });

    it('item 43: logs JSON under Lambda Managed Instances and warns when Text was asked for', () => {
      const environment = read({
        ...REQUIRED_ENV,
        AWS_LAMBDA_MAX_CONCURRENCY: '8',
        AWS_LAMBDA_LOG_FORMAT: 'Text',
      });

      expect(environment.logFormat).toBe('JSON');
      expect(environment.warnings).toEqual([
        'AWS_LAMBDA_LOG_FORMAT is Text, but Lambda Managed Instances (AWS_LAMBDA_MAX_CONCURRENCY) log JSON only; using JSON',
      ]);
    });

    it.each([
      [{ AWS_LAMBDA_MAX_CONCURRENCY: '2' }],
      [{ AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-managed-instances' }],
      [{ AWS_LAMBDA_MAX_CONCURRENCY: '2', AWS_LAMBDA_LOG_FORMAT: 'json' }],
    ])('item 43: logs JSON without a warning under Lambda Managed Instances (%j)', (extra) => {
      const environment = read({ ...REQUIRED_ENV, ...extra });

      expect(environment.logFormat).toBe('JSON');
      expect(environment.warnings).toEqual([]);
    });

    it('item 43: warns once, naming JSON, when the log format is malformed under Lambda Managed Instances', () => {
      const environment = read({
        ...REQUIRED_ENV,
        AWS_LAMBDA_MAX_CONCURRENCY: '2',
        AWS_LAMBDA_LOG_FORMAT: 'yaml',
      });

      expect(environment.logFormat).toBe('JSON');
      expect(environment.warnings).toEqual([
        'AWS_LAMBDA_LOG_FORMAT must be Text or JSON (any case), got "yaml"; using JSON',
      ]);
    });

    it('reads AWS_LAMBDA_NODEJS_WORKER_COUNT, undefined when absent', () => {
      expect(read({ ...REQUIRED_ENV, AWS_LAMBDA_NODEJS_WORKER_COUNT: '4' }).workerCount).toBe(4);
      expect(read({ ...REQUIRED_ENV }).workerCount).toBeUndefined();
    });

    it.each([
      ['trace', 'TRACE'],
      ['Debug', 'DEBUG'],
      ['warn', 'WARN'],
      ['ERROR', 'ERROR'],
      ['fatal', 'FATAL'],
    ])('item 51: reads AWS_LAMBDA_LOG_LEVEL case-insensitively when it is %j', (value, expected) => {
      const environment = read({ ...REQUIRED_ENV, AWS_LAMBDA_LOG_LEVEL: value });

      expect(environment.logLevel).toBe(expected);
    });

    it.each(['on-demand', 'provisioned-concurrency', 'snap-start', 'lambda-managed-instances'] as const)(
      'accepts the initialization type %j when it is set',
      (value) => {
        const environment = read({ ...REQUIRED_ENV, AWS_LAMBDA_INITIALIZATION_TYPE: value });

        expect(environment.initializationType).toBe(value);
      },
    );

    it('reads process.env when no env option is given', () => {
      for (const [name, value] of Object.entries(REQUIRED_ENV)) vi.stubEnv(name, value);
      vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'from-process-env');

      const environment = new ProcessEnvironmentReader().read();

      expect(environment.functionName).toBe('from-process-env');
      expect(environment.get('AWS_LAMBDA_FUNCTION_NAME')).toBe('from-process-env');
    });
  });

  describe('malformed optional variables', () => {
    it.each([
      ['0', 'AWS_LAMBDA_MAX_CONCURRENCY must be a positive integer, got "0"; using 1'],
      ['-2', 'AWS_LAMBDA_MAX_CONCURRENCY must be a positive integer, got "-2"; using 1'],
      ['2.5', 'AWS_LAMBDA_MAX_CONCURRENCY must be a positive integer, got "2.5"; using 1'],
      ['many', 'AWS_LAMBDA_MAX_CONCURRENCY must be a positive integer, got "many"; using 1'],
    ])('item 5: uses 1 and warns when AWS_LAMBDA_MAX_CONCURRENCY is %j', (value, warning) => {
      const environment = read({ ...REQUIRED_ENV, AWS_LAMBDA_MAX_CONCURRENCY: value });

      expect(environment.maxConcurrency).toBe(1);
      expect(environment.warnings).toEqual([warning]);
    });

    it('item 5: uses 1 without a warning when AWS_LAMBDA_MAX_CONCURRENCY is absent', () => {
      const environment = read({ ...REQUIRED_ENV });

      expect(environment.maxConcurrency).toBe(1);
      expect(environment.warnings).toEqual([]);
    });

    it('uses undefined and warns when AWS_LAMBDA_NODEJS_WORKER_COUNT is not a positive integer', () => {
      const environment = read({ ...REQUIRED_ENV, AWS_LAMBDA_NODEJS_WORKER_COUNT: 'two' });

      expect(environment.workerCount).toBeUndefined();
      expect(environment.warnings).toEqual([
        'AWS_LAMBDA_NODEJS_WORKER_COUNT must be a positive integer, got "two"; using undefined',
      ]);
    });

    it('uses Text and warns when AWS_LAMBDA_LOG_FORMAT is neither Text nor JSON', () => {
      const environment = read({ ...REQUIRED_ENV, AWS_LAMBDA_LOG_FORMAT: 'yaml' });

      expect(environment.logFormat).toBe('Text');
      expect(environment.warnings).toEqual([
        'AWS_LAMBDA_LOG_FORMAT must be Text or JSON (any case), got "yaml"; using Text',
      ]);
    });

    it('uses INFO and warns when AWS_LAMBDA_LOG_LEVEL is not a level', () => {
      const environment = read({ ...REQUIRED_ENV, AWS_LAMBDA_LOG_LEVEL: 'verbose' });

      expect(environment.logLevel).toBe('INFO');
      expect(environment.warnings).toEqual([
        'AWS_LAMBDA_LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL (any case), got "verbose"; using INFO',
      ]);
    });

    it('uses on-demand and warns when AWS_LAMBDA_INITIALIZATION_TYPE is unknown', () => {
      const environment = read({ ...REQUIRED_ENV, AWS_LAMBDA_INITIALIZATION_TYPE: 'eager' });

      expect(environment.initializationType).toBe('on-demand');
      expect(environment.warnings).toEqual([
        'AWS_LAMBDA_INITIALIZATION_TYPE must be one of on-demand, provisioned-concurrency, snap-start, lambda-managed-instances, got "eager"; using on-demand',
      ]);
    });

    it('item 5: reports one warning per malformed variable when several are malformed', () => {
      const environment = read({
        ...REQUIRED_ENV,
        AWS_LAMBDA_LOG_FORMAT: 'xml',
        AWS_LAMBDA_LOG_LEVEL: 'loud',
        AWS_LAMBDA_MAX_CONCURRENCY: 'lots',
        AWS_LAMBDA_INITIALIZATION_TYPE: 'lazy',
      });

      expect(environment.warnings).toHaveLength(4);
      for (const name of [
        'AWS_LAMBDA_LOG_FORMAT',
        'AWS_LAMBDA_LOG_LEVEL',
        'AWS_LAMBDA_MAX_CONCURRENCY',
        'AWS_LAMBDA_INITIALIZATION_TYPE',
      ]) {
        expect(environment.warnings.some((warning) => warning.startsWith(`${name} `))).toBe(true);
      }
    });

    it('leaves credentials undefined and warns without any value when only the secret key is set', () => {
      const environment = read({ ...REQUIRED_ENV, AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY });

      expect(environment.credentials).toBeUndefined();
      expect(environment.warnings).toEqual([
        'AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; no credentials',
      ]);
    });

    it('leaves credentials undefined and warns when only the access key id is set', () => {
      const environment = read({ ...REQUIRED_ENV, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE' });

      expect(environment.credentials).toBeUndefined();
      expect(environment.warnings).toEqual([
        'AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; no credentials',
      ]);
    });
  });

  describe('required variables', () => {
    it('item 1: throws an EnvironmentError that names AWS_LAMBDA_RUNTIME_API clearly when it is unset', () => {
      const { AWS_LAMBDA_RUNTIME_API: _unset, ...env } = REQUIRED_ENV;

      const error = readError(env);

      expect(error.errorType).toBe('Runtime.InvalidEnvironment');
      expect(error.problems).toEqual([
        'AWS_LAMBDA_RUNTIME_API is not set (the runtime must be started by Lambda or an emulator)',
      ]);
      expect(error.message).toContain('AWS_LAMBDA_RUNTIME_API is not set');
    });

    it('item 1: names every missing required variable in one error when none is set', () => {
      const error = readError({});

      expect(error.problems).toEqual([
        'AWS_LAMBDA_RUNTIME_API is not set (the runtime must be started by Lambda or an emulator)',
        'AWS_LAMBDA_FUNCTION_NAME is not set',
        'AWS_LAMBDA_FUNCTION_VERSION is not set',
        'AWS_LAMBDA_FUNCTION_MEMORY_SIZE is not set',
      ]);
    });

    it('names missing and malformed variables together when both occur', () => {
      const error = readError({
        AWS_LAMBDA_RUNTIME_API: 'http://127.0.0.1:9001',
        AWS_LAMBDA_FUNCTION_NAME: '',
        AWS_LAMBDA_FUNCTION_VERSION: '1',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: 'abc',
      });

      expect(error.problems).toEqual([
        'AWS_LAMBDA_RUNTIME_API must be host:port without a scheme, got "http://127.0.0.1:9001"',
        'AWS_LAMBDA_FUNCTION_NAME is not set',
        'AWS_LAMBDA_FUNCTION_MEMORY_SIZE must be a positive integer, got "abc"',
      ]);
    });

    it.each(['0', '-128', '12.5', '1e3', ' 128', '99999999999999999999'])(
      'rejects AWS_LAMBDA_FUNCTION_MEMORY_SIZE when it is %j',
      (value) => {
        const error = readError({ ...REQUIRED_ENV, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: value });

        expect(error.problems).toEqual([
          `AWS_LAMBDA_FUNCTION_MEMORY_SIZE must be a positive integer, got ${JSON.stringify(value)}`,
        ]);
      },
    );

    it.each([
      ['127.0.0.1:9001'],
      ['localhost:9001'],
      ['[::1]:9001'],
      ['169.254.100.1:65535'],
      ['rie_emulator:8080'],
      ['runtime.example.internal:1'],
    ])('item 1: accepts AWS_LAMBDA_RUNTIME_API %j when it is host:port', (value) => {
      const environment = read({ ...REQUIRED_ENV, AWS_LAMBDA_RUNTIME_API: value });

      expect(environment.runtimeApi).toBe(value);
    });

    it.each([
      ['http://127.0.0.1:9001', 'must be host:port without a scheme'],
      ['127.0.0.1:9001/2018-06-01', 'must be host:port without a path'],
      ['localhost', 'must be host:port with a numeric port, e.g. 127.0.0.1:9001 or [::1]:9001'],
      ['localhost:', 'must be host:port with a numeric port, e.g. 127.0.0.1:9001 or [::1]:9001'],
      ['[::1]', 'must be host:port with a numeric port, e.g. 127.0.0.1:9001 or [::1]:9001'],
      ['::1:9001', 'must be host:port with a numeric port, e.g. 127.0.0.1:9001 or [::1]:9001'],
      ['localhost:0', 'must have a port between 1 and 65535'],
      ['localhost:65536', 'must have a port between 1 and 65535'],
      ['300.1.1.1:9001', 'must name a valid host (a hostname, an IPv4 address or a bracketed IPv6 address)'],
      ['[not-ipv6]:9001', 'must name a valid host (a hostname, an IPv4 address or a bracketed IPv6 address)'],
      ['user@host:9001', 'must name a valid host (a hostname, an IPv4 address or a bracketed IPv6 address)'],
    ])('rejects AWS_LAMBDA_RUNTIME_API %j with a precise problem', (value, message) => {
      const error = readError({ ...REQUIRED_ENV, AWS_LAMBDA_RUNTIME_API: value });

      expect(error.problems).toEqual([`AWS_LAMBDA_RUNTIME_API ${message}, got ${JSON.stringify(value)}`]);
    });

    it('keeps every secret value out of the error when required variables are missing', () => {
      const { AWS_LAMBDA_FUNCTION_NAME: _unset, ...env } = FULL_ENV;

      const error = readError({ ...env, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: 'x' });
      const rendered = [error.message, ...error.problems, inspect(error), JSON.stringify(error)].join('\n');

      expect(error.problems).toHaveLength(2);
      expect(rendered).not.toContain(SECRET_ACCESS_KEY);
      expect(rendered).not.toContain(SESSION_TOKEN);
      expect(rendered).not.toContain(METADATA_TOKEN);
    });
  });

  describe('get and snapshot', () => {
    it('returns any variable from the snapshot, secrets included, when asked by name', () => {
      const environment = read({ ...FULL_ENV });

      expect(environment.get('MY_SETTING')).toBe('configured');
      expect(environment.get('AWS_SECRET_ACCESS_KEY')).toBe(SECRET_ACCESS_KEY);
      expect(environment.get('AWS_LAMBDA_METADATA_TOKEN')).toBe(METADATA_TOKEN);
      expect(environment.get('NOT_SET_ANYWHERE')).toBeUndefined();
      expect(environment.get('constructor')).toBeUndefined();
    });

    it('returns undefined from get when the variable was empty', () => {
      const environment = read({ ...REQUIRED_ENV, MY_SETTING: '' });

      expect(environment.get('MY_SETTING')).toBeUndefined();
    });

    it('changes nothing in the environment when the passed variables change after read()', () => {
      const env: Record<string, string | undefined> = { ...FULL_ENV };
      const environment = read(env);

      env.AWS_LAMBDA_FUNCTION_NAME = 'renamed';
      env.AWS_LAMBDA_LOG_LEVEL = 'ERROR';
      env.MY_SETTING = 'changed';
      env.ADDED_LATER = 'new';
      delete env.AWS_SECRET_ACCESS_KEY;

      expect(environment.functionName).toBe('my-function');
      expect(environment.logLevel).toBe('DEBUG');
      expect(environment.get('AWS_LAMBDA_FUNCTION_NAME')).toBe('my-function');
      expect(environment.get('MY_SETTING')).toBe('configured');
      expect(environment.get('ADDED_LATER')).toBeUndefined();
      expect(environment.get('AWS_SECRET_ACCESS_KEY')).toBe(SECRET_ACCESS_KEY);
      expect(environment.credentials?.secretAccessKey).toBe(SECRET_ACCESS_KEY);
    });

    it('takes a fresh snapshot when read() is called again', () => {
      const env: Record<string, string | undefined> = { ...REQUIRED_ENV };
      const reader = new ProcessEnvironmentReader({ env });
      const first = reader.read();

      env.AWS_LAMBDA_FUNCTION_NAME = 'renamed';
      const second = reader.read();

      expect(first.functionName).toBe('my-function');
      expect(second.functionName).toBe('renamed');
    });

    it('refuses changes to its fields when code assigns to them', () => {
      const environment = read({ ...FULL_ENV });

      expect(() => {
        (environment as { functionName: string }).functionName = 'other';
      }).toThrow(TypeError);
      expect(() => {
        (environment.warnings as string[]).push('more');
      }).toThrow(TypeError);
    });

    it('does not modify the passed variables when reading them', () => {
      const env: Record<string, string | undefined> = { ...FULL_ENV, EMPTY: '' };

      read(env);

      expect(env).toEqual({ ...FULL_ENV, EMPTY: '' });
    });
  });
});
