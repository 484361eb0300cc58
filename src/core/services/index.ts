import { AuditService } from '../audit';
import { AccessGuard } from '../authz';
import type { Clock } from '../clock';
import { CredentialService } from '../credentials';
import type { Database } from '../database';
import { EventService } from '../events';
import { CatalogService } from './catalog.service';
import { ServiceAccountService } from './service-account.service';
import { TokenService } from './token.service';

export * from './catalog.service';
export * from './service-account.service';
export * from './token.service';

export interface CoreOptions {
  lifespanOverrides?: Readonly<Record<string, Readonly<Record<string, number | null>>>>;
}

/** Everything core offers to providers and faces, built once per gateway. */
export class CoreServices {
  readonly audit: AuditService;
  readonly guard: AccessGuard;
  readonly events: EventService;
  readonly serviceAccounts: ServiceAccountService;
  readonly tokens: TokenService;
  readonly catalog: CatalogService;
  readonly credentials: CredentialService;

  constructor(
    readonly db: Database,
    readonly clock: Clock,
    options: CoreOptions = {},
  ) {
    this.audit = new AuditService(db, clock);
    this.guard = new AccessGuard(this.audit);
    this.events = new EventService(clock);
    this.serviceAccounts = new ServiceAccountService(db, clock, this.audit, this.events, this.guard);
    this.tokens = new TokenService(db, clock, this.audit, this.events, this.guard, options.lifespanOverrides);
    this.catalog = new CatalogService(db, clock, this.audit, this.guard);
    this.credentials = new CredentialService(db, clock, this.audit, (id, lastUsedAt) => this.tokens.touch('access_token', id, lastUsedAt));
  }
}
