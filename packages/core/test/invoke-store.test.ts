import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { LmiRuntimeApi } from './lmi-runtime-api.js';

const fixture = fileURLToPath(new URL('./fixtures/invoke-store.mjs', import.meta.url));
const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=1';

describe('installInvokeStore', () => {
  let emulator: RuntimeApiEmulator | undefined;
  let api: LmiRuntimeApi | undefined;

  afterEach(async () => {
    await emulator?.close();
    await api?.close();
    emulator = undefined;
    api = undefined;
  });

  it('fills globalThis.awslambda.InvokeStore for each invocation in single-concurrency mode, keeping what globalThis.awslambda held', async () => {
    emulator = await RuntimeApiEmulator.start();
    emulator.spawn({ command: process.execPath, args: [fixture] });

    const first = await emulator.invoke({}, { traceId: TRACE, tenantId: 'acme' });
    const second = await emulator.invoke({});

    expect(first.json()).toEqual({
      atStart: { requestId: first.requestId, traceId: TRACE, tenantId: 'acme' },
      atEnd: { requestId: first.requestId, traceId: TRACE, tenantId: 'acme' },
      contextRequestId: first.requestId,
      sameObject: true,
      installedBefore: 'kept',
      traceEnv: TRACE,
    });
    expect(second.json()).toMatchObject({
      atEnd: { requestId: second.requestId, traceId: null, tenantId: null },
      traceEnv: null,
    });
  });

  it('item 42: fills the store of each of several invocations at once under Lambda Managed Instances', async () => {
    api = await LmiRuntimeApi.start();
    api.spawn([fixture], api.environment(3));
    await api.waitForParked(3);

    const invocations = [0, 1, 2].map((index) =>
      api?.invoke(
        { waitMs: (3 - index) * 30 },
        { traceId: `Root=1-0-${index}`, tenantId: `tenant-${index}` },
      ),
    );
    const answers = await Promise.all(invocations.map((invocation) => invocation?.answered));

    answers.forEach((answer, index) => {
      const own = {
        requestId: invocations[index]?.requestId,
        traceId: `Root=1-0-${index}`,
        tenantId: `tenant-${index}`,
      };
      expect(JSON.parse(answer?.body ?? '{}')).toEqual({
        atStart: own,
        atEnd: own,
        contextRequestId: own.requestId,
        sameObject: true,
        installedBefore: 'kept',
        traceEnv: null,
      });
    });
  });
});
