import type { AuditService } from '../audit';
import type { ProviderDescriptor, RequestContext } from '../context';
import type { Actor } from '../credentials/actor';
import { authorize } from './authorize';
import type { AuthorizationTarget } from './requirement';

/** `authorize`, plus an audit row for every refusal. Core services and REST routes call this. */
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
}
