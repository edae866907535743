import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator, type SpawnedRuntime } from '@lambda-runtime/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const bootstrap = fileURLToPath(new URL('../bootstrap', import.meta.url));
const FUNCTION_NAME = 'shop';
const MEMORY_MB = 512;
const ARN = `arn:aws:lambda:us-east-1:012345678912:function:${FUNCTION_NAME}`;
const TRACE_ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const TRACE_HEADER = `Root=${TRACE_ROOT};Parent=557abcec3ee5a047;Sampled=1`;
// Our runtime's Text-format line: timestamp, request id, level, message, tab-separated.
const TEXT_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t[^\t]+\t(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\t/;

type LogRecord = Record<string, unknown>;

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** Powertools lines (they carry `service`) from stdout and stderr, in write order per stream. */
function powertoolsRecords(runtime: SpawnedRuntime): LogRecord[] {
  return [...lines(runtime.stdout), ...lines(runtime.stderr)]
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogRecord)
    .filter((record) => 'service' in record);
}

/** Every line is one whole JSON object (Powertools, or our JSON format) or one of our Text lines. */
function expectWellFormedLines(output: string, format: 'JSON' | 'Text'): void {
  for (const line of lines(output)) {
    if (line.startsWith('{')) {
      expect(() => JSON.parse(line), line).not.toThrow();
    } else {
      expect(format, `non-JSON line in JSON format: ${line}`).toBe('Text');
      expect(line).toMatch(TEXT_LINE);
    }
  }
}

function apiEvent(body: string, contentType = 'application/json'): Record<string, unknown> {
  return {
    version: '2.0',
    routeKey: 'POST /orders',
    rawPath: '/orders',
    headers: { 'content-type': contentType },
    body,
    isBase64Encoded: false,
  };
}

describe('examples/middy-powertools', () => {
  let emulator: RuntimeApiEmulator;

  beforeEach(async () => {
    emulator = await RuntimeApiEmulator.start({ functionName: FUNCTION_NAME, memorySizeMb: MEMORY_MB });
  });

  afterEach(async () => {
    await emulator.close();
  });

  describe('middy handler (ESM, src/orders-api.mjs)', () => {
    it.each(['JSON', 'Text'] as const)(
      'parses the JSON body and runs the middlewares in middy order when the log format is %s',
      async (format) => {
        const runtime = emulator.spawn({
          command: bootstrap,
          env: { _HANDLER: 'src/orders-api.handler', AWS_LAMBDA_LOG_FORMAT: format },
        });

        const result = await emulator.invoke(apiEvent(JSON.stringify({ item: 'pen', quantity: 2 })), {
          traceId: TRACE_HEADER,
        });

        expect(result.status).toBe('success');
        const response = result.json() as {
          statusCode: number;
          headers: Record<string, string>;
          body: string;
        };
        expect(response.statusCode).toBe(201);
        // Befores in `use` order, afters in reverse: the onion middy promises.
        expect(response.headers['x-trail']).toBe('outer:before,inner:before,inner:after,outer:after');
        const body = JSON.parse(response.body) as Record<string, unknown>;
        expect(body).toMatchObject({ item: 'pen', quantity: 2, requestId: result.requestId });
        expect(body.remainingMs).toBeGreaterThan(0);
        expect(body.remainingMs).toBeLessThanOrEqual(300_000);
        // injectLambdaContext (the Powertools middy middleware) read our context.
        expect(powertoolsRecords(runtime)).toEqual([
          expect.objectContaining({
            level: 'INFO',
            message: 'order created',
            service: 'orders-api',
            item: 'pen',
            quantity: 2,
            cold_start: true,
            function_name: FUNCTION_NAME,
            function_request_id: result.requestId,
            function_arn: ARN,
            function_memory_size: String(MEMORY_MB),
            xray_trace_id: TRACE_ROOT,
          }),
        ]);
        expectWellFormedLines(runtime.stdout, format);
      },
    );

    it('answers an http error thrown by the handler with its status and message when http-error-handler is used', async () => {
      const runtime = emulator.spawn({
        command: bootstrap,
        env: { _HANDLER: 'src/orders-api.handler', AWS_LAMBDA_LOG_FORMAT: 'Text' },
      });

      const result = await emulator.invoke(apiEvent(JSON.stringify({ item: 'pen', quantity: 0 })));

      // A handled error is a successful invocation carrying an HTTP error response.
      expect(result.status).toBe('success');
      expect(result.json()).toEqual({
        statusCode: 422,
        headers: { 'Content-Type': 'text/plain' },
        body: 'quantity must be a positive integer',
      });
      // http-error-handler logs the error with console.error: our runtime tags it with the request id.
      const logged = lines(runtime.stdout).filter((line) => line.includes('UnprocessableEntityError'));
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(TEXT_LINE);
      expect(logged[0]?.split('\t').slice(1, 3)).toEqual([result.requestId, 'ERROR']);
      expectWellFormedLines(runtime.stdout, 'Text');
    });

    it('answers 415 from the body parser, and 500 without the message for a non-http error, when the body or the handler is bad', async () => {
      const runtime = emulator.spawn({
        command: bootstrap,
        env: { _HANDLER: 'src/orders-api.handler', AWS_LAMBDA_LOG_FORMAT: 'JSON' },
      });

      const malformed = await emulator.invoke(apiEvent('{not json'));
      const crashed = await emulator.invoke(apiEvent(JSON.stringify({ item: 'explode', quantity: 1 })));

      expect(malformed.json()).toEqual({
        statusCode: 415,
        headers: { 'Content-Type': 'text/plain' },
        body: 'Invalid or malformed JSON was provided',
      });
      expect(crashed.status).toBe('success');
      expect(crashed.json()).toEqual({ statusCode: 500, headers: {} });
      const errorLines = lines(runtime.stdout)
        .map((line) => JSON.parse(line) as LogRecord)
        .filter((record) => record.level === 'ERROR');
      expect(errorLines.map((record) => record.requestId)).toEqual([malformed.requestId, crashed.requestId]);
      expect(String(errorLines[1]?.message)).toContain('inventory service unreachable');
      // The handler never reached logger.info: no Powertools line at all.
      expect(powertoolsRecords(runtime)).toEqual([]);
    });
  });

  describe('Powertools handler (CommonJS, src/billing.cjs)', () => {
    it.each(['JSON', 'Text'] as const)(
      'puts our context on every Powertools line, cold_start true only on the first invocation, when the log format is %s',
      async (format) => {
        const runtime = emulator.spawn({
          command: bootstrap,
          env: { _HANDLER: 'src/billing.handler', AWS_LAMBDA_LOG_FORMAT: format },
        });

        const first = await emulator.invoke({ amount: 5 });
        const second = await emulator.invoke({ amount: 7 });

        expect(first.json()).toEqual({ charged: 5, requestId: first.requestId });
        expect(second.json()).toEqual({ charged: 7, requestId: second.requestId });
        expect(second.requestId).not.toBe(first.requestId);
        const common = {
          service: 'billing',
          function_name: FUNCTION_NAME,
          function_arn: ARN,
          function_memory_size: String(MEMORY_MB),
        };
        expect(powertoolsRecords(runtime)).toEqual([
          expect.objectContaining({
            ...common,
            level: 'DEBUG',
            message: 'charge requested',
            amount: 5,
            cold_start: true,
            function_request_id: first.requestId,
          }),
          expect.objectContaining({
            ...common,
            level: 'INFO',
            message: 'charged',
            cold_start: true,
            function_request_id: first.requestId,
          }),
          expect.objectContaining({
            ...common,
            level: 'DEBUG',
            message: 'charge requested',
            amount: 7,
            cold_start: false,
            function_request_id: second.requestId,
          }),
          expect.objectContaining({
            ...common,
            level: 'INFO',
            message: 'charged',
            cold_start: false,
            function_request_id: second.requestId,
          }),
        ]);
        // No trace header was sent: Powertools finds no _X_AMZN_TRACE_ID.
        expect(powertoolsRecords(runtime).some((record) => 'xray_trace_id' in record)).toBe(false);
        expectWellFormedLines(runtime.stdout, format);
        expectWellFormedLines(runtime.stderr, 'JSON');
      },
    );

    it('reports the thrown error as the function error, with Powertools ERROR on stderr and our Invoke Error line intact, when the charge is rejected', async () => {
      const runtime = emulator.spawn({
        command: bootstrap,
        env: { _HANDLER: 'src/billing.handler', AWS_LAMBDA_LOG_FORMAT: 'Text' },
      });

      const result = await emulator.invoke({ amount: -1 });

      expect(result.status).toBe('error');
      expect(result.error).toMatchObject({
        errorType: 'RangeError',
        errorMessage: 'amount must be positive, got -1',
      });
      // Powertools writes WARN and ERROR to stderr through its own Console, as on the managed runtime.
      const stderrRecords = lines(runtime.stderr).map((line) => JSON.parse(line) as LogRecord);
      expect(stderrRecords).toEqual([
        expect.objectContaining({
          level: 'ERROR',
          message: 'charge rejected',
          function_request_id: result.requestId,
        }),
      ]);
      const invokeError = lines(runtime.stdout).filter((line) => !line.startsWith('{'));
      expect(invokeError).toHaveLength(1);
      expect(invokeError[0]?.split('\t').slice(1, 3)).toEqual([result.requestId, 'ERROR']);
      expect(invokeError[0]).toContain('Invoke Error');
      expectWellFormedLines(runtime.stdout, 'Text');
    });

    it('sets xray_trace_id from the invocation trace header and drops it for an invocation without one', async () => {
      const runtime = emulator.spawn({
        command: bootstrap,
        env: { _HANDLER: 'src/billing.handler', AWS_LAMBDA_LOG_FORMAT: 'JSON' },
      });

      const traced = await emulator.invoke({ amount: 1 }, { traceId: TRACE_HEADER });
      const untraced = await emulator.invoke({ amount: 2 });

      const charged = powertoolsRecords(runtime).filter((record) => record.message === 'charged');
      expect(charged).toEqual([
        expect.objectContaining({ function_request_id: traced.requestId, xray_trace_id: TRACE_ROOT }),
        expect.objectContaining({ function_request_id: untraced.requestId }),
      ]);
      expect(charged[1]).not.toHaveProperty('xray_trace_id');
    });

    it('applies AWS_LAMBDA_LOG_LEVEL (Advanced Logging Controls) over the logger level when a callback-style handler logs', async () => {
      const runtime = emulator.spawn({
        command: bootstrap,
        env: { _HANDLER: 'src/billing.refund', AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'WARN' },
      });

      const first = await emulator.invoke({ amount: 3 });
      const second = await emulator.invoke({ amount: 4 });

      expect(first.json()).toEqual({ refunded: 3 });
      expect(second.json()).toEqual({ refunded: 4 });
      const records = powertoolsRecords(runtime);
      // The logger asked for DEBUG; ALC says WARN: Powertools warns once at init and drops lower levels.
      expect(records.map((record) => [record.level, record.message])).toEqual([
        [
          'WARN',
          'Current log level (DEBUG) does not match AWS Lambda Advanced Logging Controls minimum log level (WARN). This can lead to data loss, consider adjusting them.',
        ],
        ['WARN', 'refund issued'],
        ['WARN', 'refund issued'],
      ]);
      expect(records.slice(1).map((record) => [record.function_request_id, record.cold_start])).toEqual([
        [first.requestId, true],
        [second.requestId, false],
      ]);
    });
  });
});
