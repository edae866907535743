import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator, type SpawnedRuntime } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const bootstrap = fileURLToPath(new URL('../bootstrap', import.meta.url));

type Record_ = Record<string, unknown>;

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

function records(runtime: SpawnedRuntime): Record_[] {
  return runtime.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record_);
}

function traceHeader(index: number): string {
  return `Root=1-6759e988-bd862e3fe1be46a99427279${index};Parent=557abcec3ee5a04${index};Sampled=${index % 2}`;
}

describe('examples/managed-instances', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start({ functionName: 'orders', maxConcurrency: 8 });
  });

  afterEach(async () => {
    await emulator.close();
  });

  it.each([
    ['in one process', {}],
    ['with worker threads', { AWS_LAMBDA_NODEJS_WORKER_COUNT: '2' }],
  ])(
    'items 42, 43: Powertools Logger, Tracer and Metrics attribute each line, trace and metric to its own invocation %s',
    async (_, extra) => {
      const runtime = emulator.spawn({
        command: bootstrap,
        // AWS_EXECUTION_ENV as Lambda Managed Instances set it for a runtime of its own (Tracer needs one).
        env: { _HANDLER: 'src/orders.handler', AWS_EXECUTION_ENV: 'AWS_Lambda_Image', ...extra },
      });
      await emulator.waitForPendingNext(8);
      // Eight at once, finishing in the opposite order: their log lines and metrics interleave.
      const orders = Array.from({ length: 8 }, (_, index) => ({ index, orderId: `order-${index}` }));

      const results = await Promise.all(
        orders.map(({ index, orderId }) =>
          emulator.invoke(
            { orderId, items: index + 1, waitMs: (8 - index) * 25 },
            { traceId: traceHeader(index) },
          ),
        ),
      );

      // A worker thread's process.stdout reaches the process's own a moment later.
      await until(() => records(runtime).filter((line) => '_aws' in line).length === 8);
      const output = records(runtime);
      for (const { index, orderId } of orders) {
        const result = results[index];
        const requestId = result?.requestId;
        expect(result?.status).toBe('success');
        const root = `1-6759e988-bd862e3fe1be46a99427279${index}`;
        expect(result?.json()).toEqual({
          orderId,
          requestId,
          traceBefore: root,
          traceAfter: root,
          sampled: index % 2 === 1,
        });
        const logs = output.filter(
          (line) => line.service === 'orders' && line.orderId === orderId && !('_aws' in line),
        );
        expect(logs.map((line) => line.message)).toEqual(['order received', 'order stored']);
        for (const line of logs) {
          expect(line).toMatchObject({ function_request_id: requestId, xray_trace_id: root });
        }
        const emf = output.filter((line) => '_aws' in line && line.orderId === orderId);
        expect(emf).toHaveLength(1);
        expect(emf[0]).toMatchObject({ itemsOrdered: index + 1, service: 'orders' });
      }
      expect(output.filter((line) => '_aws' in line)).toHaveLength(8);
      expect(
        output.filter((line) => 'level' in line && !('service' in line)).map((line) => line.level),
      ).not.toContain('ERROR');
    },
  );
});
