import { fileURLToPath } from 'node:url';
import type { SpawnedRuntime } from '@lambda-runtime/emulator';
import { describe, expect, it } from 'vitest';
import {
  answerWith,
  errorPath,
  invocation,
  invocationLines,
  nextBytes,
  responsePath,
} from './hostile-runtime-api-server.js';
import { jsonLogLines, until } from './support.js';
import { useHostileRuntimeApi } from './use-hostile-runtime-api.js';

const echoBootstrap = fileURLToPath(new URL('../../../examples/echo/bootstrap', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/hostile-handler.mjs', import.meta.url));
// The `lambda-runtime` command with a plain handler module (the CLI package's own fixture).
const cliBin = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));
const cliTaskRoot = fileURLToPath(new URL('../../cli/test/fixtures/esm', import.meta.url));
/** A header line far over every transport's head limit (256 KiB). */
const HUGE_LINE = `X-Huge: ${'h'.repeat(300 * 1024)}\r\n`;

describe('the runtime process against a hostile Runtime API (default transport)', () => {
  const hostile = useHostileRuntimeApi();

  function start(which: 'echo' | 'cli' | 'fixture'): SpawnedRuntime {
    switch (which) {
      case 'echo':
        return hostile.spawn({ command: echoBootstrap, environment: hostile.server.environment() });
      case 'cli':
        return hostile.spawn({
          command: process.execPath,
          args: [cliBin, 'app.handler'],
          cwd: cliTaskRoot,
          environment: hostile.server.environment({ LAMBDA_TASK_ROOT: cliTaskRoot }),
        });
      default:
        return hostile.spawn({
          command: process.execPath,
          args: [fixture],
          environment: hostile.server.environment(),
        });
    }
  }

  const fatalLines = (spawned: SpawnedRuntime) =>
    jsonLogLines(spawned).filter((line) => line.level === 'FATAL');
  const bodyOf = (path: string) => {
    const post = hostile.server.posts.find((r) => r.path === path);
    return post === undefined
      ? undefined
      : (JSON.parse(post.body.toString('utf8')) as Record<string, unknown>);
  };

  it('items 9, 12, 14, 18: gives the handler UTF-8 client context, identity and tenant id intact, and answers the non-ASCII id', async () => {
    const requestId = 'ünï-🎉-José';
    const spawned = start('fixture');
    hostile.server.queue(
      invocation(
        requestId,
        { name: 'José 🚀' },
        'Lambda-Runtime-Client-Context: {"custom":{"name":"José 🚀"},"env":{"locale":"日本"}}\r\n' +
          'Lambda-Runtime-Cognito-Identity: {"cognitoIdentityId":"Zoë","cognitoIdentityPoolId":"pool-ø"}\r\n' +
          'Lambda-Runtime-Aws-Tenant-Id: tenant-ünï\r\n',
      ),
    );

    await until(() => hostile.server.polls.length === 2, 10_000);

    expect(hostile.server.posts.map((r) => r.path)).toEqual([
      '/2018-06-01/runtime/invocation/%C3%BCn%C3%AF-%F0%9F%8E%89-Jos%C3%A9/response',
    ]);
    expect(bodyOf(responsePath(requestId))).toEqual({
      requestId,
      clientContext: { custom: { name: 'José 🚀' }, env: { locale: '日本' } },
      identity: { cognitoIdentityId: 'Zoë', cognitoIdentityPoolId: 'pool-ø' },
      tenantId: 'tenant-ünï',
      event: { name: 'José 🚀' },
    });
    expect(fatalLines(spawned)).toHaveLength(0);
  });

  it.each(['echo', 'cli'] as const)(
    'items 13, 15, 17, 18: answers an id repeated identically once, answers conflicting ids on /error, and keeps serving (%s)',
    async (which) => {
      const spawned = start(which);
      hostile.server.queue(
        invocation(
          'id-twice',
          { n: 1 },
          'Lambda-Runtime-Aws-Request-Id: id-twice\r\nContent-Type: application/json\r\nContent-Type: application/json\r\n',
        ),
        invocation('id-a', { n: 2 }, 'Lambda-Runtime-Aws-Request-Id: id-b\r\n'),
        invocation('id-after', { n: 3 }),
      );

      await until(() => hostile.server.polls.length === 4, 10_000);

      expect(hostile.server.posts.map((r) => r.path)).toEqual([
        responsePath('id-twice'),
        errorPath('id-a'),
        errorPath('id-b'),
        responsePath('id-after'),
      ]);
      expect(bodyOf(responsePath('id-twice'))).toMatchObject({ requestId: 'id-twice', event: { n: 1 } });
      expect(bodyOf(errorPath('id-a'))).toMatchObject({ errorType: 'Runtime.MalformedInvocation' });
      expect(fatalLines(spawned)).toHaveLength(0);
      expect(jsonLogLines(spawned).filter((line) => line.message === 'Invoke Error')).toHaveLength(2);
    },
  );

  it('items 13, 17: answers a /next whose head is over the limit on /error when its id can be read, then serves the next one', async () => {
    const spawned = start('echo');
    hostile.server.queue(
      answerWith(nextBytes(HUGE_LINE + invocationLines('id-huge'))),
      invocation('id-after', { n: 1 }),
    );

    await until(() => hostile.server.polls.length === 3, 10_000);

    expect(hostile.server.posts.map((r) => r.path)).toEqual([errorPath('id-huge'), responsePath('id-after')]);
    expect(bodyOf(errorPath('id-huge'))).toMatchObject({ errorType: 'Runtime.MalformedInvocation' });
    expect(fatalLines(spawned)).toHaveLength(0);
  });

  it('items 16, 17: exits non-zero with one clear line, never polling again, when a /next head is over the limit without a readable id', async () => {
    const spawned = start('echo');
    hostile.server.queue(answerWith(nextBytes(`Lambda-Runtime-Deadline-Ms: 1\r\n${HUGE_LINE}`)));

    const exit = await spawned.waitForExit(10_000);

    expect(exit.code).toBe(1);
    expect(fatalLines(spawned)).toHaveLength(1);
    expect(fatalLines(spawned)[0]?.message).toContain('lambda-runtime-aws-request-id');
    expect(hostile.server.polls).toHaveLength(1);
    expect(hostile.server.posts).toHaveLength(0);
  });

  it.each(['echo', 'cli'] as const)(
    'delivers the answer when the server closes the kept-alive connection after reading the /response (%s)',
    async (which) => {
      const spawned = start(which);
      let closed = false;
      // The /response is the second request on the connection: read it, then close without a byte.
      hostile.server.onPost = (request, socket) => {
        if (closed || request.indexOnConnection === 1) return false;
        closed = true;
        socket.destroy();
        return true;
      };
      hostile.server.queue(invocation('id-1', { n: 1 }), invocation('id-2', { n: 2 }));

      await until(() => hostile.server.posts.some((r) => r.path === responsePath('id-2')), 10_000);

      expect(closed).toBe(true);
      expect(
        hostile.server.posts.filter((r) => r.path === responsePath('id-1')).map((r) => r.connection),
      ).toEqual([1, 2]);
      expect(bodyOf(responsePath('id-1'))).toMatchObject({ requestId: 'id-1', event: { n: 1 } });
      expect(fatalLines(spawned)).toHaveLength(0);
    },
  );

  it('delivers the answer of a synchronous handler when the server closed the idle connection while it ran', async () => {
    const spawned = start('fixture');
    hostile.server.queue(invocation('id-warm'), (socket) => {
      socket.write(nextBytes(invocationLines('id-busy'), '{"busyMs":500}'));
      // Closed without Connection: close, while the handler holds the event loop.
      setTimeout(() => socket.destroy(), 100);
    });

    await until(() => hostile.server.posts.some((r) => r.path === responsePath('id-busy')), 10_000);
    await until(() => hostile.server.polls.length >= 3, 10_000);

    expect(bodyOf(responsePath('id-busy'))).toMatchObject({ requestId: 'id-busy', event: { busyMs: 500 } });
    expect(fatalLines(spawned)).toHaveLength(0);
    expect(spawned.process.exitCode).toBeNull();
  });
});
