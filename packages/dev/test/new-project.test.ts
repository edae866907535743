import { access, constants, cp, mkdir, mkdtemp, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readTemplate,
  resourcesOfType,
  type Template,
  type TemplateResource,
} from './support/cloudformation.js';
import { exec, packWorkspace, useTarballs } from './support/workspace-tarballs.js';
import { extractZip } from './zip-reader.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
// npm install from the registry and a full build: far beyond the default per-test limit.
const SLOW = 600_000;

function functionUrlEvent(name: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: `name=${name}`,
    queryStringParameters: { name },
    headers: { host: 'abc.lambda-url.us-east-1.on.aws' },
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc',
      domainName: 'abc.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abc',
      http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'request-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1767225600000,
    },
  };
}

/** A .zip extracted as Lambda extracts it (to /var/task or /opt); a folder copied as `sam deploy` zips it. */
async function unpack(artifact: string, into: string): Promise<string> {
  await mkdir(into, { recursive: true });
  if (artifact.endsWith('.zip')) await extractZip(artifact, into);
  else await cp(artifact, into, { recursive: true });
  return into;
}

// The user's path: `lambda-dev new` in a folder outside this workspace, `npm install` (our packages
// from their release tarballs, the rest from the registry), then the project's own scripts.
describe('a project made by lambda-dev new', () => {
  let root: string;
  let project: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lambda-dev-project-'));
    const tarballs = await packWorkspace(join(root, 'tarballs'));
    await exec(process.execPath, [BIN, 'new', 'hello-function'], root);
    project = join(root, 'hello-function');
    await useTarballs(project, tarballs);
    await exec('npm', ['install', '--no-audit', '--no-fund'], project);
  }, SLOW);

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('passes its own test', async () => {
    const { stdout } = await exec('npm', ['test'], project);

    expect(stdout).toMatch(/Tests\s+\S*\s*2 passed/);
  });

  it('type-checks under its strict tsconfig', async () => {
    const run = exec('npm', ['run', 'typecheck'], project);

    await expect(run).resolves.toMatchObject({ stderr: '' });
  });

  describe('after npm run build and npm run layer', () => {
    let template: Template;

    beforeAll(async () => {
      await exec('npm', ['run', 'build'], project);
      await exec('npm', ['run', 'layer'], project);
      template = await readTemplate(join(project, 'template.yaml'));
    }, SLOW);

    it('names as CodeUri and ContentUri only files the two scripts wrote', async () => {
      const [[, fn]] = resourcesOfType(template, 'AWS::Serverless::Function') as [[string, TemplateResource]];
      const [[, layer]] = resourcesOfType(template, 'AWS::Serverless::LayerVersion') as [
        [string, TemplateResource],
      ];
      const paths = [fn.Properties.CodeUri, layer.Properties.ContentUri].map(String);

      for (const path of paths) {
        await expect(stat(join(project, path)), path).resolves.toMatchObject({ size: expect.any(Number) });
      }
    });

    it('answers a function URL request under the emulator on the layer’s Node.js, run from its CodeUri with Handler as _HANDLER', async () => {
      const [[, fn]] = resourcesOfType(template, 'AWS::Serverless::Function') as [[string, TemplateResource]];
      const [[, layer]] = resourcesOfType(template, 'AWS::Serverless::LayerVersion') as [
        [string, TemplateResource],
      ];
      const task = await unpack(join(project, String(fn.Properties.CodeUri)), join(root, 'var-task'));
      const opt = await unpack(join(project, String(layer.Properties.ContentUri)), join(root, 'opt'));
      await access(join(task, 'bootstrap'), constants.X_OK);
      const emulator = await RuntimeApiEmulator.start({ functionName: 'hello-function' });
      try {
        const runtime = emulator.spawn({
          command: join(task, 'bootstrap'),
          env: {
            _HANDLER: String(fn.Properties.Handler),
            LAMBDA_TASK_ROOT: task,
            LAMBDA_RUNTIME_OPT_DIR: opt,
          },
        });

        const result = await emulator.invoke(functionUrlEvent('Ada'));

        expect(result.status).toBe('success');
        expect(result.json()).toEqual({
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ message: 'Hello, Ada!', requestId: result.requestId }),
        });
        // The bootstrap exec'd the layer's node (Linux: the process's executable).
        expect(await readlink(`/proc/${runtime.pid}/exe`)).toBe(join(opt, 'bin', 'node'));
      } finally {
        await emulator.close();
      }
    });
  });
});
