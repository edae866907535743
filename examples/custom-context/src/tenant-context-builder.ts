import type { ContextBuilder, Invocation, InvocationContext, Logger } from '@lambda-runtime/api';

/** A tenant id of the form `<organisation>:<region>`, parsed once per invocation. */
export interface Tenant {
  readonly organisation: string;
  readonly region: string | undefined;
}

/** The context every handler of this function receives. */
export interface TenantContext extends InvocationContext {
  /** A child logger carrying the tenant on every line. */
  readonly logger: Logger;
  /** The parsed tenant, when the invocation has a tenant id. */
  readonly tenant: Tenant | undefined;
}

/**
 * Wraps the default builder: adds a per-invocation child logger and the tenant parsed into an
 * object, so handlers need not parse `context.tenantId` themselves.
 */
export class TenantContextBuilder implements ContextBuilder<TenantContext> {
  constructor(
    private readonly base: ContextBuilder,
    private readonly logger: Logger,
  ) {}

  build(invocation: Invocation): TenantContext {
    const context = this.base.build(invocation);
    const tenant = parseTenant(context.tenantId);
    const logger = tenant === undefined ? this.logger : this.logger.child({ tenant: tenant.organisation });
    return Object.assign(context, { logger, tenant });
  }
}

/** `acme:eu-west-1` → `{ organisation: 'acme', region: 'eu-west-1' }`. */
export function parseTenant(tenantId: string | undefined): Tenant | undefined {
  if (tenantId === undefined) return undefined;
  const separator = tenantId.indexOf(':');
  if (separator === -1) return { organisation: tenantId, region: undefined };
  return { organisation: tenantId.slice(0, separator), region: tenantId.slice(separator + 1) || undefined };
}
