import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  functionProperties,
  onlyResourceOfType,
  readTemplate,
  resourcesOfType,
  type Template,
} from '../../../packages/dev/test/support/cloudformation.js';
import {
  unpackArtifact,
  unpackLayer,
  useDeploymentBuild,
} from '../../../packages/dev/test/support/deployment.js';

const EXAMPLE = fileURLToPath(new URL('../', import.meta.url));

describe('examples/deploy-sam template.yaml', () => {
  const build = useDeploymentBuild(EXAMPLE);
  let template: Template;

  beforeAll(async () => {
    template = await readTemplate(join(EXAMPLE, 'template.yaml'));
  });

  it('deploys every function on provided.al2023 with the Node.js layer and the layer’s architecture', () => {
    const functions = resourcesOfType(template, 'AWS::Serverless::Function');
    const [layerId, layer] = onlyResourceOfType(template, 'AWS::Serverless::LayerVersion');

    expect(functions.map(([id]) => id)).toEqual(['ApiFunction', 'NightlyFunction']);
    for (const [id] of functions) {
      const properties = functionProperties(template, id);
      expect(properties.Runtime, id).toBe('provided.al2023');
      expect(properties.Layers, id).toEqual([{ Ref: layerId }]);
      expect(properties.Architectures, id).toEqual(layer.Properties.CompatibleArchitectures);
    }
    expect(layer.Properties.CompatibleRuntimes).toEqual(['provided.al2023']);
    expect(layer.Properties.ContentUri).toBe(
      `dist/layer/node24-${String(layer.Properties.CompatibleArchitectures)}.zip`,
    );
  });

  it('names as CodeUri and ContentUri only paths the build and the layer commands wrote', async () => {
    const paths = [
      ...resourcesOfType(template, 'AWS::Serverless::Function').map(
        ([id]) => functionProperties(template, id).CodeUri,
      ),
      ...resourcesOfType(template, 'AWS::Serverless::LayerVersion').map(
        ([, layer]) => layer.Properties.ContentUri,
      ),
    ];

    expect(paths.every((path) => typeof path === 'string')).toBe(true);
    for (const path of paths as string[]) {
      await expect(stat(join(EXAMPLE, path)), path).resolves.toBeDefined();
    }
  });

  it('runs each function, chosen by its Handler as _HANDLER, on the layer’s Node.js under the emulator', async () => {
    const [, layer] = onlyResourceOfType(template, 'AWS::Serverless::LayerVersion');
    const { opt, nodeVersion } = await unpackLayer(
      join(EXAMPLE, String(layer.Properties.ContentUri)),
      join(build.root, 'opt'),
    );
    const events: Record<string, unknown> = {
      ApiFunction: { version: '2.0', routeKey: 'GET /orders', rawPath: '/orders' },
      NightlyFunction: { 'detail-type': 'Scheduled Event', time: '2026-01-01T03:00:00Z' },
    };
    const answers: Record<string, unknown> = {};

    for (const [id] of resourcesOfType(template, 'AWS::Serverless::Function')) {
      const properties = functionProperties(template, id) as { CodeUri: string; Handler: string };
      const task = await unpackArtifact(join(EXAMPLE, properties.CodeUri), join(build.root, id));
      // One emulator per function, as each function has its own execution environment.
      const emulator = await RuntimeApiEmulator.start({ functionName: id });
      try {
        emulator.spawn({
          command: join(task, 'bootstrap'),
          env: { _HANDLER: properties.Handler, LAMBDA_TASK_ROOT: task, LAMBDA_RUNTIME_OPT_DIR: opt },
        });
        answers[id] = (await emulator.invoke(events[id])).json();
      } finally {
        await emulator.close();
      }
    }

    const api = answers.ApiFunction as APIGatewayProxyStructuredResultV2;
    expect(api.statusCode).toBe(200);
    expect(JSON.parse(api.body ?? '')).toEqual({ route: 'GET /orders', node: nodeVersion });
    expect(answers.NightlyFunction).toEqual({
      scheduledAt: '2026-01-01T03:00:00Z',
      node: nodeVersion,
    });
  });
});
