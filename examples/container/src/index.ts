import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/**
 * A handler written for the managed Node.js runtime, unchanged: the image's ENTRYPOINT (the
 * `lambda-runtime` command) loads it by the name in CMD, `index.handler`.
 */
export async function handler(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      path: event.rawPath,
      requestId: context.awsRequestId,
      node: process.version,
    }),
  };
}
