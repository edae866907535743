import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapScript } from '../src/bootstrap-script.js';

const run = promisify(execFile);

/** What the loader the bootstrap started saw of its own command line. */
interface Started {
  readonly execArgv: string[];
  readonly argv: string[];
}

describe('bootstrapScript, run by /bin/sh', () => {
  let taskRoot: string;

  beforeAll(async () => {
    taskRoot = await mkdtemp(join(tmpdir(), 'bootstrap-script-'));
    await writeFile(
      join(taskRoot, 'function.cjs'),
      'process.stdout.write(JSON.stringify({ execArgv: process.execArgv, argv: process.argv.slice(2) }));\n',
    );
    await writeFile(
      join(taskRoot, 'bootstrap'),
      bootstrapScript({ loader: 'function.cjs', bundledNode: false, layerHint: 'lambda-dev layer' }),
    );
    await chmod(join(taskRoot, 'bootstrap'), 0o755);
  });
  afterAll(async () => {
    await rm(taskRoot, { recursive: true, force: true });
  });

  /** Runs the bootstrap as Lambda would: no layer, `node` from PATH, the given extra environment. */
  async function start(env: Record<string, string>): Promise<Started> {
    const { stdout } = await run(join(taskRoot, 'bootstrap'), ['one', 'two words'], {
      env: {
        PATH: dirname(process.execPath),
        LAMBDA_TASK_ROOT: taskRoot,
        LAMBDA_RUNTIME_OPT_DIR: join(taskRoot, 'no-opt'),
        ...env,
      },
    });
    return JSON.parse(stdout) as Started;
  }

  it('starts node with one V8 background thread for a classic function, passing the arguments through', async () => {
    await expect(start({})).resolves.toEqual({ execArgv: ['--v8-pool-size=1'], argv: ['one', 'two words'] });
  });

  it('gives one V8 background thread per vCPU the memory setting buys (1,769 MB each), at least one', async () => {
    const poolFor = async (memory: string) =>
      (await start({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: memory })).execArgv;

    await expect(poolFor('128')).resolves.toEqual(['--v8-pool-size=1']);
    await expect(poolFor('1769')).resolves.toEqual(['--v8-pool-size=1']);
    await expect(poolFor('3538')).resolves.toEqual(['--v8-pool-size=2']);
    await expect(poolFor('6000')).resolves.toEqual(['--v8-pool-size=3']);
    // Four vCPUs or more: Node's own default (four) stands.
    await expect(poolFor('7076')).resolves.toEqual([]);
    await expect(poolFor('10240')).resolves.toEqual([]);
  });

  it('treats a memory setting that is not a plain decimal number as the smallest', async () => {
    for (const memory of ['', 'lots', '3538MB', '-4000', '07076']) {
      const started = await start({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: memory });
      expect(started.execArgv, memory).toEqual(['--v8-pool-size=1']);
    }
  });

  it("keeps Node's default pool under Lambda Managed Instances (AWS_LAMBDA_MAX_CONCURRENCY set)", async () => {
    await expect(start({ AWS_LAMBDA_MAX_CONCURRENCY: '8' })).resolves.toEqual({
      execArgv: [],
      argv: ['one', 'two words'],
    });
  });

  it('leaves the pool size to NODE_OPTIONS when it sets --v8-pool-size itself', async () => {
    const started = await start({ NODE_OPTIONS: '--v8-pool-size=2' });
    expect(started.execArgv).toEqual([]);
    expect(started.argv).toEqual(['one', 'two words']);
  });

  it('adds the flag next to other NODE_OPTIONS', async () => {
    const started = await start({ NODE_OPTIONS: '--max-old-space-size=256' });
    expect(started.execArgv).toEqual(['--v8-pool-size=1']);
  });

  it('uses the layer node in $LAMBDA_RUNTIME_OPT_DIR/bin before PATH', async () => {
    const optDir = await mkdtemp(join(tmpdir(), 'bootstrap-opt-'));
    try {
      await mkdir(join(optDir, 'bin'));
      await symlink(process.execPath, join(optDir, 'bin', 'node'));
      const { stdout } = await run(join(taskRoot, 'bootstrap'), [], {
        env: { PATH: '/nonexistent', LAMBDA_TASK_ROOT: taskRoot, LAMBDA_RUNTIME_OPT_DIR: optDir },
      });
      expect(JSON.parse(stdout)).toEqual({ execArgv: ['--v8-pool-size=1'], argv: [] });
    } finally {
      await rm(optDir, { recursive: true, force: true });
    }
  });
});
