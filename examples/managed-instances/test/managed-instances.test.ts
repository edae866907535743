import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LmiRuntimeApi, type SpawnedProcess } from '../../../packages/core/test/lmi-runtime-api.js';
import { until } from '../../../packages/core/test/support.js';

const bootstrap = fileURLToPath(new URL('../bootstrap', import.meta.url));
const taskRoot = fileURLToPath(new URL('..', import.meta.url));

type Record_ = Record<string, unknown>;

function records(runtime: SpawnedProcess): Record_[] {
  return runtime.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record_);
}

function traceHeader(index: number): string {
  return `Root=1-6759e988-bd862e3fe1be46a99427279${index};Parent=557abcec3ee5a04${index};Sampled=${index % 2}`;
}

describe('examples/managed-instances', () => {
  let api: LmiRuntimeApi;

  beforeEach(async () => {
    api = await LmiRuntimeApi.start();
  });

  afterEach(async () => {
    await api.close();
  });

  it.each([
    ['in one process', {}],
    ['with worker threads', { AWS_LAMBDA_NODEJS_WORKER_COUNT: '2' }],
  ])(
    'items 42, 43: Powertools Logger, Tracer and Metrics attribute each line, trace and metric to its own invocation %s',
    async (_, extra) => {
      const runtime = api.spawn(
        [],
        api.environment(8, { _HANDLER: 'src/orders.handler', LAMBDA_TASK_ROOT: taskRoot, ...extra }),
        bootstrap,
      );
      await api.waitForParked(8);
      // Eight at once, finishing in the opposite order: their log lines and metrics interleave.
      const invocations = Array.from({ length: 8 }, (_, index) => ({
        index,
        orderId: `order-${index}`,
        ...api.invoke(
          { orderId: `order-${index}`, items: index + 1, waitMs: (8 - index) * 25 },
          { traceId: traceHeader(index) },
        ),
      }));

      const answers = await Promise.all(invocations.map((invocation) => invocation.answered));

      // A worker thread's process.stdout reaches the process's own a moment later.
      await until(() => records(runtime).filter((line) => '_aws' in line).length === 8);
      const output = records(runtime);
      for (const [position, { index, orderId, requestId }] of invocations.entries()) {
        expect(answers[position]?.status).toBe(202);
        const root = `1-6759e988-bd862e3fe1be46a99427279${index}`;
        expect(JSON.parse(answers[position]?.body ?? '{}')).toEqual({
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
