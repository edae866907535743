import { defaultRuntime } from '@lambda-runtime/core';
import { type TenantContext, TenantContextBuilder } from './tenant-context-builder.js';

defaultRuntime(() => (_event: unknown, context: TenantContext) => {
  context.logger.info('handling tenant request');
  return { requestId: context.awsRequestId, tenant: context.tenant ?? null };
})
  // The one line that plugs the custom context builder in.
  .withContextBuilder((base, { logger }) => new TenantContextBuilder(base, logger))
  .run();
