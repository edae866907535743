import { describe, expect, it } from 'vitest';
import {
  buildRuntimeEnvironment,
  FAKE_CREDENTIALS,
  makeLogStreamName,
  passedCredentials,
} from '../src/runtime-environment.js';

const settings = {
  runtimeApi: '127.0.0.1:9001',
  functionName: 'orders',
  functionVersion: '$LATEST',
  memorySizeMb: 512,
  region: 'eu-central-1',
  logStreamName: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
  taskRoot: '/var/task',
};

describe('buildRuntimeEnvironment', () => {
  it('sets the reserved variables of section 4 when given the settings', () => {
    const environment = buildRuntimeEnvironment(settings, {}, { PATH: '/usr/bin', HOME: '/home/me' });

    expect(environment).toEqual({
      AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
      AWS_LAMBDA_FUNCTION_NAME: 'orders',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/orders',
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
      AWS_REGION: 'eu-central-1',
      AWS_DEFAULT_REGION: 'eu-central-1',
      LAMBDA_TASK_ROOT: '/var/task',
      LAMBDA_RUNTIME_DIR: '/var/runtime',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      PATH: '/usr/bin',
      HOME: '/home/me',
      LD_LIBRARY_PATH: '/var/task:/var/task/lib',
      ...FAKE_CREDENTIALS,
    });
  });

  it('puts the task root folders after the parent’s LD_LIBRARY_PATH and keeps its NODE_PATH when it has them', () => {
    const environment = buildRuntimeEnvironment(
      settings,
      {},
      { LD_LIBRARY_PATH: '/opt/x/lib', NODE_PATH: '/opt/n' },
    );

    expect(environment.LD_LIBRARY_PATH).toBe('/opt/x/lib:/var/task:/var/task/lib');
    expect(environment.NODE_PATH).toBe('/opt/n');
  });

  it('copies only PATH and HOME when the parent has other variables', () => {
    const environment = buildRuntimeEnvironment(
      settings,
      {},
      { PATH: '/bin', SECRET_TOKEN: 'x', NODE_OPTIONS: '-r y' },
    );

    expect(environment).not.toHaveProperty('SECRET_TOKEN');
    expect(environment).not.toHaveProperty('NODE_OPTIONS');
    expect(environment).not.toHaveProperty('HOME');
    expect(environment.PATH).toBe('/bin');
  });

  it('lets extra entries override and undefined entries remove variables', () => {
    const environment = buildRuntimeEnvironment(
      settings,
      { AWS_REGION: 'us-west-2', _HANDLER: 'index.handler', AWS_SESSION_TOKEN: undefined },
      {},
    );

    expect(environment.AWS_REGION).toBe('us-west-2');
    expect(environment._HANDLER).toBe('index.handler');
    expect(environment).not.toHaveProperty('AWS_SESSION_TOKEN');
  });
});

describe('passedCredentials', () => {
  it('copies the developer’s credential variables and removes the fake ones they do not set', () => {
    const credentials = passedCredentials({
      AWS_ACCESS_KEY_ID: 'AKIAREAL',
      AWS_SECRET_ACCESS_KEY: 'real-secret',
      AWS_PROFILE: 'dev',
      SECRET_TOKEN: 'not a credential variable',
    });

    expect(credentials).toEqual({
      AWS_ACCESS_KEY_ID: 'AKIAREAL',
      AWS_SECRET_ACCESS_KEY: 'real-secret',
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: 'dev',
    });
  });
});

describe('makeLogStreamName', () => {
  it('formats the date, version and a 32-hex suffix like Lambda', () => {
    expect(makeLogStreamName('7', new Date('2026-03-04T05:06:07Z'))).toMatch(
      /^2026\/03\/04\/\[7\][0-9a-f]{32}$/,
    );
  });
});
