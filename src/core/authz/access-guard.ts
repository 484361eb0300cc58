import type { AuditService } from '../audit';
import type { ProviderDescriptor, RequestContext } from '../context';
import type { Actor } from '../credentials/actor';
import { authorize, isAllowed } from './authorize';
import type { AuthorizationTarget } from './requirement';

/** `authorize`, plus an audit row for every refusal: what the registry asks once per act. */
export class AccessGuard {
  constructor(private readonly audit: AuditService) {}

  async require(ctx: RequestContext, provider: ProviderDescriptor, action: string, target?: AuthorizationTarget): Promise<Actor> {
    try {
      return await authorize(ctx.actor, provider, action, target);
    } catch (error) {
      // Not awaited: inside a transaction on PGlite the write waits for the session to be free.
      if (ctx.actor) this.audit.recordDenied(ctx, action, provider.id, target?.ownerId ?? null);
      throw error;
    }
  }

  /** The same decision without an error or an audit row, for what is left out rather than refused. */
  allows(ctx: RequestContext, provider: ProviderDescriptor, action: string, target?: AuthorizationTarget): Promise<boolean> {
    return ctx.actor ? isAllowed(ctx.actor, provider, action, target) : Promise.resolve(false);
  }
}
