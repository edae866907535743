import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunction } from '../src/build-function.js';

const project = fileURLToPath(new URL('./fixtures/project/', import.meta.url));
const cli = fileURLToPath(new URL('../node_modules/@lambda-runtime/cli/dist/bin.js', import.meta.url));

interface Answer {
  readonly via: string;
  readonly payload: unknown;
}

/** Starts one runtime under a fresh emulator, invokes it once, and returns what it answered. */
async function answer(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<Answer> {
  const emulator = await RuntimeApiEmulator.start();
  try {
    emulator.spawn({ command, args, cwd, env });
    const result = await emulator.invoke({ n: 1 });
    const payload =
      result.error === undefined
        ? result.json()
        : {
            errorType: result.error.errorType,
            // The loader names the file it loaded, the bundle the source it came from.
            errorMessage: result.error.errorMessage.replace(/ \([^)]*parity\.mjs\)/, ' (<file>)'),
          };
    return { via: result.via, payload };
  } finally {
    await emulator.close();
  }
}

// "Exactly as the lambda-runtime command would": the same module, run from disk by the command
// and bundled by lambda-dev build, answers the same for every case below.
describe('lambda-dev build <module.export> parity with the lambda-runtime command', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lambda-dev-parity-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['src/parity.handler', {}],
    ['src/parity.nested.deep.fn', {}],
    ['src/parity.zero', {}],
    ['src/parity.text', {}],
    ['src/parity.handler', { PARITY_THROW: '1' }],
  ])('answers %s %j as the lambda-runtime command does', async (spec, env) => {
    const outDir = join(dir, `${spec.replace(/\W/g, '-')}-${Object.keys(env).length}`);
    await buildFunction({ entry: spec, root: project, outDir, codeCache: false });

    const fromDisk = await answer(process.execPath, [cli], project, { _HANDLER: spec, ...env });
    const bundled = await answer(process.execPath, [join(outDir, 'function.cjs')], outDir, env);

    expect(bundled).toEqual(fromDisk);
    expect(fromDisk.via).toMatch(/^(response|error|init-error)$/);
  });
});
