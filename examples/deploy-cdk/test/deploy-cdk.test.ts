import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  unpackArtifact,
  unpackLayer,
  useDeploymentBuild,
} from '../../../packages/dev/test/support/deployment.js';
import { type CdkApp, type Construction, readCdkApp } from './cdk-app.js';

const EXAMPLE = fileURLToPath(new URL('../', import.meta.url));

function only(app: CdkApp, className: string): Construction {
  const found = app.constructions.filter((construction) => construction.className === className);
  if (found.length !== 1 || found[0] === undefined) throw new Error(`Expected one new ${className}`);
  return found[0];
}

/** The asset path of a `code: lambda.Code.fromAsset(...)` prop. */
function assetOf(app: CdkApp, construction: Construction): string {
  const path = app.assets.get(construction.props.code ?? '');
  if (path === undefined) throw new Error(`${construction.className} has no Code.fromAsset code`);
  return path;
}

describe('examples/deploy-cdk cdk/app.ts', () => {
  const build = useDeploymentBuild(EXAMPLE);
  let app: CdkApp;

  beforeAll(async () => {
    const { app: command } = JSON.parse(await readFile(join(EXAMPLE, 'cdk.json'), 'utf8')) as { app: string };
    const entry = command.split(' ').find((word) => word.endsWith('.ts')) ?? '';
    app = await readCdkApp(resolve(EXAMPLE, entry), EXAMPLE);
  });

  it('declares a PROVIDED_AL2023 Function on the Node.js LayerVersion, both for one architecture', () => {
    const fn = only(app, 'lambda.Function');
    const layer = only(app, 'lambda.LayerVersion');

    expect(fn.props.runtime).toBe('lambda.Runtime.PROVIDED_AL2023');
    expect(fn.props.layers).toBe(`[${layer.variable}]`);
    expect(layer.props.compatibleRuntimes).toBe('[lambda.Runtime.PROVIDED_AL2023]');
    expect(layer.props.compatibleArchitectures).toBe(`[${fn.props.architecture}]`);
    expect(fn.props.handler).toMatch(/^'[\w.-]+'$/);
  });

  it('names in Code.fromAsset only paths the build and the layer commands wrote', async () => {
    const paths = [...app.assets.values()];

    expect(paths).toHaveLength(2);
    for (const path of paths) {
      expect(path.startsWith(join(EXAMPLE, 'dist'))).toBe(true);
      await expect(stat(path), path).resolves.toBeDefined();
    }
  });

  it('runs the Function’s asset with its handler as _HANDLER on the layer’s Node.js under the emulator', async () => {
    const fn = only(app, 'lambda.Function');
    const { opt, nodeVersion } = await unpackLayer(
      assetOf(app, only(app, 'lambda.LayerVersion')),
      join(build.root, 'opt'),
    );
    const task = await unpackArtifact(assetOf(app, fn), join(build.root, 'task'));
    const emulator = await RuntimeApiEmulator.start({ functionName: 'deploy-cdk' });
    try {
      emulator.spawn({
        command: join(task, 'bootstrap'),
        env: {
          _HANDLER: JSON.parse((fn.props.handler ?? '').replaceAll("'", '"')) as string,
          LAMBDA_TASK_ROOT: task,
          LAMBDA_RUNTIME_OPT_DIR: opt,
        },
      });

      const result = await emulator.invoke({ version: '2.0', rawPath: '/orders' });

      expect(result.status).toBe('success');
      const answer = result.json() as APIGatewayProxyStructuredResultV2;
      expect(JSON.parse(answer.body ?? '')).toEqual({
        path: '/orders',
        requestId: result.requestId,
        node: nodeVersion,
      });
    } finally {
      await emulator.close();
    }
  });
});
