import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapScript, V8_POOL_SIZE_FLAG } from '../src/bootstrap-script.js';

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
    await expect(start({})).resolves.toEqual({ execArgv: [V8_POOL_SIZE_FLAG], argv: ['one', 'two words'] });
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
    expect(started.execArgv).toEqual([V8_POOL_SIZE_FLAG]);
  });

  it('uses the layer node in $LAMBDA_RUNTIME_OPT_DIR/bin before PATH', async () => {
    const optDir = await mkdtemp(join(tmpdir(), 'bootstrap-opt-'));
    try {
      await mkdir(join(optDir, 'bin'));
      await symlink(process.execPath, join(optDir, 'bin', 'node'));
      const { stdout } = await run(join(taskRoot, 'bootstrap'), [], {
        env: { PATH: '/nonexistent', LAMBDA_TASK_ROOT: taskRoot, LAMBDA_RUNTIME_OPT_DIR: optDir },
      });
      expect(JSON.parse(stdout)).toEqual({ execArgv: [V8_POOL_SIZE_FLAG], argv: [] });
    } finally {
      await rm(optDir, { recursive: true, force: true });
    }
  });
});
