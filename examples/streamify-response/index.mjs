// A handler written for the managed Node.js runtime, unchanged: it uses the `awslambda` global
// (no import), as the AWS documentation shows. The lambda-runtime command installs that global
// before it loads this file, so the same file runs on nodejs22.x and on a custom runtime.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

async function* csvRows(count, delayMs) {
  yield 'id,name\n';
  for (let id = 1; id <= count; id += 1) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    yield `${id},item-${id}\n`;
  }
}

export const handler = awslambda.streamifyResponse(
  async (event, responseStream, context) => {
    if (event.fail === 'before') {
      throw new Error('No data source configured');
    }
    const httpStream = awslambda.HttpResponseStream.from(responseStream, {
      statusCode: 200,
      headers: { 'Content-Type': 'text/csv', 'X-Request-Id': context.awsRequestId },
      cookies: ['export=started; Path=/'],
    });
    await pipeline(Readable.from(csvRows(event.rows ?? 3, event.delayMs ?? 10)), httpStream);
  },
  { highWaterMark: 4096 },
);

// The plain style of the documentation: setContentType, write, end.
export const hello = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.setContentType('text/plain');
  responseStream.write('Hello, ');
  responseStream.write(`${event.name ?? 'world'}!`);
  responseStream.end();
});
