import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaffoldProject } from '../src/scaffold/scaffold-project.js';
import {
  readTemplate,
  resourcesOfType,
  type Template,
  type TemplateResource,
} from './support/cloudformation.js';

function only(template: Template, type: string): [string, TemplateResource] {
  const found = resourcesOfType(template, type);
  expect(found, type).toHaveLength(1);
  return found[0] as [string, TemplateResource];
}

// The static shape of the SAM template `lambda-dev new` writes; new-project.test.ts deploys its
// paths against a real build.
describe('the template.yaml of lambda-dev new', () => {
  let root: string;
  let template: Template;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lambda-dev-template-'));
    const { directory } = await scaffoldProject({ name: 'orders', directory: join(root, 'orders') });
    template = await readTemplate(join(directory, 'template.yaml'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('is a SAM template with one function and one layer', () => {
    const functions = resourcesOfType(template, 'AWS::Serverless::Function');
    const layers = resourcesOfType(template, 'AWS::Serverless::LayerVersion');

    expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
    expect([functions.length, layers.length]).toEqual([1, 1]);
  });

  it('runs the function on provided.al2023 with the Node.js layer, both for the same architecture', () => {
    const [, fn] = only(template, 'AWS::Serverless::Function');
    const [layerId, layer] = only(template, 'AWS::Serverless::LayerVersion');

    expect(fn.Properties.Runtime).toBe('provided.al2023');
    expect(fn.Properties.Layers).toEqual([{ Ref: layerId }]);
    expect(layer.Properties.CompatibleRuntimes).toEqual(['provided.al2023']);
    expect(fn.Properties.Architectures).toEqual(layer.Properties.CompatibleArchitectures);
    expect(fn.Properties.Architectures).toHaveLength(1);
  });

  it('deploys the default outputs of lambda-dev build and lambda-dev layer for its architecture', () => {
    const [, fn] = only(template, 'AWS::Serverless::Function');
    const [, layer] = only(template, 'AWS::Serverless::LayerVersion');
    const [architecture] = fn.Properties.Architectures as string[];

    expect(fn.Properties.CodeUri).toBe('dist/lambda/function.zip');
    expect(layer.Properties.ContentUri).toBe(`dist/layer/node24-${architecture}.zip`);
    expect(fn.Properties.Handler).toBe('index.handler');
  });

  it('outputs the URL of the function URL it declares, which needs signed requests', () => {
    const [id, fn] = only(template, 'AWS::Serverless::Function');

    expect(fn.Properties.FunctionUrlConfig).toEqual({ AuthType: 'AWS_IAM' });
    expect(template.Outputs?.FunctionUrl?.Value).toEqual({ 'Fn::GetAtt': `${id}Url.FunctionUrl` });
  });
});
