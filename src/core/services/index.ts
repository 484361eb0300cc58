import { AuditService } from '../audit';
import { AccessGuard } from '../authz';
import { createChange, type Change } from '../change';
import type { Clock } from '../clock';
import { CredentialService, OperatorTokenService } from '../credentials';
import type { Database } from '../database';
import { FailureLimiter } from '../rate-limit';
import { MasterKey, PublicUrl, SigningService, TokenIssuers } from '../signing';
import { EventService } from '../events';
import { noMetrics, type CoreMetrics } from '../metrics';
import { CatalogService } from './catalog.service';
import { PrincipalService } from '../principals';
import { ResourceService } from '../resources';
import { TokenService } from './token.service';
import { TokenQueryService } from '../tokens';

export * from './catalog.service';
export * from './pagination';

export * from './token.service';

export interface CoreOptions {
  /** Failed authentications allowed per client address and minute (0: unlimited). */
  authFailuresPerMinute?: number;
  /** Encrypts signing keys at rest; asked for only when a key is first made or used. */
  masterKey?: () => MasterKey;
  lifespanOverrides?: Readonly<Record<string, Readonly<Record<string, number | null>>>>;
  metrics?: CoreMetrics;
}

/** Everything core offers to providers and faces, built once per gateway. */
export class CoreServices {
  readonly audit: AuditService;
  /** The one authorization decision (the registry asks it once per act). */
  readonly authz: AccessGuard;
  readonly events: EventService;
  readonly principals: PrincipalService;
  readonly tokens: TokenService;
  /** Read-only lists and counts over every token a caller may see (dashboards). */
  readonly tokenQueries: TokenQueryService;
  readonly catalog: CatalogService;
  readonly resources: ResourceService;
  readonly credentials: CredentialService;
  readonly signing: SigningService;
  readonly operatorTokens: OperatorTokenService;
  /** Failed authentications per key (address, or a provider's user name): the edge and providers share it. */
  readonly authFailures: FailureLimiter;
  /** Runs an act's writes: transaction, events and audit row together (see core/change). */
  readonly change: Change;
  /** The gateway's base URL as clients reach it; token issuers are URLs under it. */
  readonly publicUrl = new PublicUrl();
  /** Token issuers (URLs under the public URL) that providers declare, with their endpoints. */
  readonly issuers = new TokenIssuers(this.publicUrl);
  private sweeper?: NodeJS.Timeout;

  constructor(
    readonly db: Database,
    readonly clock: Clock,
    options: CoreOptions = {},
  ) {
    this.audit = new AuditService(db, clock);
    const metrics = options.metrics ?? noMetrics;
    this.authFailures = new FailureLimiter(clock, options.authFailuresPerMinute ?? 60, undefined, () => metrics.authFailure());
    this.authz = new AccessGuard(this.audit);
    this.events = new EventService(db, clock);
    this.change = createChange(db, this.events, this.audit);
    this.principals = new PrincipalService(db, clock);
    const masterKey =
      options.masterKey ??
      (() => {
        throw new Error('KEYGATE_MASTER_KEY is not set: signing keys cannot be made or used.');
      });
    this.signing = new SigningService(db, clock, masterKey);
    this.tokens = new TokenService(db, clock, this.signing, options.lifespanOverrides);
    this.tokens.cacheRows(this.events);
    this.catalog = new CatalogService(db, clock);
    this.resources = new ResourceService(db, clock);
    this.tokenQueries = new TokenQueryService(db, clock, this.authz);
    this.credentials = new CredentialService(db, clock, this.audit, this.signing, (id, lastUsedAt) => this.tokens.touch('access_token', id, lastUsedAt));
    this.credentials.useCache(this.events);
    this.operatorTokens = new OperatorTokenService(db, clock, this.audit, this.events, this.credentials);
    this.credentials.onLookup = (result) => metrics.credentialLookup(result);
    observeEvents(this.events, clock, metrics);
  }

  /** Starts the event tailer and the expiry sweeper (every `expirySweepSeconds`; 0 turns it off). */
  async start(options: { expirySweepSeconds?: number } = {}): Promise<void> {
    await this.events.start();
    const seconds = options.expirySweepSeconds ?? 30;
    if (seconds > 0) {
      this.sweeper = setInterval(() => void this.events.sweepExpired().catch(() => undefined), seconds * 1000);
      this.sweeper.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.events.stop();
  }
}

/** Counts what the event log says happened: committed events, issued tokens, delivery lag. */
function observeEvents(events: EventService, clock: Clock, metrics: CoreMetrics): void {
  events.onCommitted((rows) => {
    for (const row of rows) {
      metrics.eventAppended(row.kind);
      if (row.kind === 'CREATED' && row.subjectType !== 'SERVICE_ACCOUNT') metrics.tokenIssued(row.provider, row.subjectType === 'REFRESH_TOKEN' ? 'refresh' : 'access');
    }
  });
  events.subscribe((event) => metrics.eventDelivered(Math.max(0, (clock.now().getTime() - event.at.getTime()) / 1000)));
}
