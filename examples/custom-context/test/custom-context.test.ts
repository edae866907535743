import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseTenant } from '../src/tenant-context-builder.js';

const bootstrap = fileURLToPath(new URL('../bootstrap', import.meta.url));

describe('examples/custom-context', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('gives every handler the parsed tenant and a child logger through the plugged-in builder', async () => {
    const runtime = emulator.spawn({ command: bootstrap, env: { AWS_LAMBDA_LOG_FORMAT: 'JSON' } });

    const withTenant = await emulator.invoke({}, { tenantId: 'acme:eu-west-1' });
    const withoutTenant = await emulator.invoke({});

    expect(withTenant.json()).toEqual({
      requestId: withTenant.requestId,
      tenant: { organisation: 'acme', region: 'eu-west-1' },
    });
    expect(withoutTenant.json()).toEqual({ requestId: withoutTenant.requestId, tenant: null });
    const logLine = runtime.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.requestId === withTenant.requestId);
    expect(logLine).toMatchObject({
      message: 'handling tenant request',
      tenant: 'acme',
      tenantId: 'acme:eu-west-1',
    });
  });
});

describe('parseTenant', () => {
  it('splits organisation and region when the id has both', () => {
    expect(parseTenant('acme:eu-west-1')).toEqual({ organisation: 'acme', region: 'eu-west-1' });
  });

  it('keeps a bare organisation when there is no region', () => {
    expect(parseTenant('acme')).toEqual({ organisation: 'acme', region: undefined });
    expect(parseTenant('acme:')).toEqual({ organisation: 'acme', region: undefined });
  });

  it('returns undefined when the invocation has no tenant', () => {
    expect(parseTenant(undefined)).toBeUndefined();
  });
});
