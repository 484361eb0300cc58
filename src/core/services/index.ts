import { AuditService } from '../audit';
import { AccessGuard } from '../authz';
import { createChange, type Change } from '../change';
import type { Clock } from '../clock';
import { CredentialService, OperatorTokenService } from '../credentials';
import type { Database } from '../database';
import { FailureLimiter } from '../rate-limit';
import { MasterKey, PublicUrl, SigningService, TokenIssuers, type TokenIssuerPaths } from '../signing';
import { EventService } from '../events';
import { noMetrics, type CoreMetrics } from '../metrics';
import type { Logger } from '../logger';
import { CatalogService } from './catalog.service';
import { PrincipalService } from '../principals';
import { ResourceService } from '../resources';
import { TokenService } from './token.service';
import { TokenQueryService } from '../tokens';
import { DEFAULT_RETRY, WebhookDispatcher, WebhookService, type EventVisibility, type RetrySchedule } from '../webhooks';

export * from './catalog.service';
export * from './pagination';

export * from './token.service';

export interface CoreOptions {
  /** Failed authentications allowed per client address (and per target) and minute, across instances on PostgreSQL (0: unlimited). */
  authFailuresPerMinute?: number;
  /** Encrypts signing keys at rest; asked for only when a key is first made or used. */
  masterKey?: () => MasterKey;
  lifespanOverrides?: Readonly<Record<string, Readonly<Record<string, number | null>>>>;
  metrics?: CoreMetrics;
  /** EXPIRING warning horizons, seconds before an expiry, largest first (none: no warnings). */
  expiryWarnings?: readonly number[];
  webhooks?: WebhookOptions;
}

export interface WebhookOptions {
  /** `KEYGATE_WEBHOOK_ALLOW_PRIVATE`. */
  allowPrivate?: boolean;
  /** Requests in flight per instance. */
  concurrency?: number;
  retry?: RetrySchedule;
  leaseMs?: number;
  timeoutMs?: number;
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
  /** Webhooks as callers manage them; delivery runs in `start` (WebhookDispatcher). */
  readonly webhooks: WebhookService;
  private dispatcher?: WebhookDispatcher;
  private readonly webhookOptions: WebhookOptions;
  private readonly metrics: CoreMetrics;
  private readonly masterKey: () => MasterKey;
  private sweeper?: NodeJS.Timeout;

  constructor(
    readonly db: Database,
    readonly clock: Clock,
    options: CoreOptions = {},
  ) {
    this.audit = new AuditService(db, clock);
    const metrics = options.metrics ?? noMetrics;
    this.metrics = metrics;
    this.authFailures = new FailureLimiter({ limit: options.authFailuresPerMinute ?? 60, pool: db.serverPool(), onFailure: () => metrics.authFailure() });
    this.authz = new AccessGuard(this.audit);
    this.events = new EventService(db, clock, options.expiryWarnings);
    this.change = createChange(db, this.events, this.audit);
    this.principals = new PrincipalService(db, clock);
    const masterKey =
      options.masterKey ??
      (() => {
        throw new Error('KEYGATE_MASTER_KEY is not set: signing keys cannot be made or used.');
      });
    this.masterKey = masterKey;
    this.signing = new SigningService(db, clock, masterKey);
    this.tokens = new TokenService(db, clock, this.signing, options.lifespanOverrides);
    this.tokens.cacheRows(this.events);
    this.catalog = new CatalogService(db, clock);
    this.resources = new ResourceService(db, clock);
    this.tokenQueries = new TokenQueryService(db, clock, this.authz);
    this.credentials = new CredentialService(db, clock, this.audit, this.signing, (id, lastUsedAt) => this.tokens.touch('access_token', id, lastUsedAt));
    this.credentials.useCache(this.events);
    this.principals.onUpdated = (id) => this.credentials.forgetPrincipal(id);
    this.operatorTokens = new OperatorTokenService(db, clock, this.audit, this.events, this.credentials);
    this.credentials.onLookup = (result) => metrics.credentialLookup(result);
    observeEvents(this.events, clock, metrics);
    this.webhookOptions = options.webhooks ?? {};
    this.webhooks = new WebhookService(db, clock, this.change, this.events, this.audit, {
      allowPrivate: this.webhookOptions.allowPrivate ?? false,
      masterKey,
      onCreated: () => this.dispatcher?.kick(),
    });
  }

  /**
   * A provider that signs tokens becomes an OAuth issuer: its discovery documents name its
   * endpoints (the gateway serves them) and its JWTs authenticate as bearer credentials. The `iss`
   * is `issuers.url(paths.issuer)`, read per token: the public URL is known once the gateway listens.
   */
  declareTokenIssuer(paths: TokenIssuerPaths, accept: { type: string; audience?: string }): void {
    this.issuers.declare(paths);
    this.credentials.acceptSignedTokens({ ...accept, issuer: () => this.issuers.url(paths.issuer) });
  }

  /**
   * Starts the event tailer, the audit chain's sealer, the expiry sweeper (every `expirySweepSeconds`; 0 turns it off) and,
   * given who may see what (`webhookVisibility`), webhook delivery.
   */
  async start(options: { expirySweepSeconds?: number; webhookVisibility?: EventVisibility; logger?: Logger } = {}): Promise<void> {
    await this.events.start();
    this.audit.chain.start(options.logger?.child({ component: 'audit-chain' }));
    if (options.webhookVisibility) {
      const settings = this.webhookOptions;
      this.dispatcher = new WebhookDispatcher(this.db, this.clock, this.events, this.audit, this.credentials, {
        allowPrivate: settings.allowPrivate ?? false,
        concurrency: settings.concurrency ?? 8,
        retry: settings.retry ?? DEFAULT_RETRY,
        leaseMs: settings.leaseMs ?? 30_000,
        timeoutMs: settings.timeoutMs ?? 10_000,
        source: () => this.eventSource(),
        masterKey: this.masterKey,
        visibility: options.webhookVisibility,
        logger: options.logger?.child({ component: 'webhooks' }),
        metrics: this.metrics,
      });
      await this.dispatcher.start();
    }
    const seconds = options.expirySweepSeconds ?? 30;
    if (seconds > 0) {
      this.sweeper = setInterval(() => void this.events.sweepExpired().catch(() => undefined), seconds * 1000);
      this.sweeper.unref();
    }
  }

  /** The CloudEvents `source` of webhook deliveries: the public URL (known once the gateway listens). */
  private eventSource(): string {
    try {
      return this.publicUrl.get();
    } catch {
      return 'urn:keygate';
    }
  }

  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.dispatcher?.stop();
    await this.audit.chain.stop();
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
