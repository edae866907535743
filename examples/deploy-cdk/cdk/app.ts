import { fileURLToPath } from 'node:url';
import { App, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

// The outputs of `npm run build` (lambda-dev build) and `npm run layer` (lambda-dev layer),
// deployed as they are: no bundling step in CDK.
const FUNCTION_ZIP = fileURLToPath(new URL('../dist/lambda/function.zip', import.meta.url));
const NODE_LAYER = fileURLToPath(new URL('../dist/layer/node24-x86_64.zip', import.meta.url));

/** A function on provided.al2023 that runs on the Node.js of its layer, behind a function URL. */
export class FunctionStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    // The --arch of both lambda-dev build and lambda-dev layer (x86_64 by default); for ARM64, run
    // both with --arch arm64 and use NODE_LAYER node24-arm64.zip.
    const architecture = lambda.Architecture.X86_64;

    const nodeLayer = new lambda.LayerVersion(this, 'NodeLayer', {
      code: lambda.Code.fromAsset(NODE_LAYER),
      compatibleRuntimes: [lambda.Runtime.PROVIDED_AL2023],
      compatibleArchitectures: [architecture],
      description: 'Node.js for provided.al2023 (lambda-dev layer)',
    });

    const fn = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(FUNCTION_ZIP),
      // Reaches the bootstrap as _HANDLER; the bundled src/index.ts runs its one handler.
      handler: 'index.handler',
      runtime: lambda.Runtime.PROVIDED_AL2023,
      architecture,
      layers: [nodeLayer],
      memorySize: 512,
      timeout: Duration.seconds(10),
      loggingFormat: lambda.LoggingFormat.JSON,
    });

    const url = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    new CfnOutput(this, 'FunctionUrl', { value: url.url });
  }
}

const app = new App();
new FunctionStack(app, 'LambdaRuntimeFunction');
