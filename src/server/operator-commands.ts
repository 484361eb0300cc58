import { In } from 'typeorm';
import { badInput, MAX_PAGE, type AuditRecord, type AuditVerification, type OperatorTokenInfo, type RequestContext } from '../core';
import { PrincipalEntity } from '../entities';
import type { ImportRowError } from '../plugins/provider';
import type { Keygate } from './keygate';

export type ImportProgress = (phase: string, done: number, total: number) => void;

export interface ImportSummary {
  confirmed: boolean;
  total: number;
  valid: number;
  errors: ImportRowError[];
  /** How many service accounts were created (0 for a preview). */
  created: number;
}

export interface OperatorTokenRow extends Omit<OperatorTokenInfo, 'createdAt' | 'lastUsedAt' | 'revokedAt'> {
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** An active token nobody has used for a while (`keygate report stale`). */
export interface StaleTokenRow {
  id: string;
  type: 'refresh' | 'access';
  provider: string;
  name: string | null;
  serviceAccountId: string;
  serviceAccountName: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

export interface StaleReport {
  days: number;
  /** Tokens last used before this instant, or never used and created before it. */
  unusedSince: string;
  tokens: StaleTokenRow[];
}

export const MAX_STALE_DAYS = 3650;

/**
 * What the CLI asks of keygate. Run in the CLI's own process (`LocalCommands`), or by the running
 * server over its control socket when it owns the embedded database (`RemoteCommands`): the same
 * calls, the same answers.
 */
export interface OperatorCommands {
  migrate(): Promise<{ applied: string[] }>;
  bootstrap(): Promise<{ token: string }>;
  createOperatorToken(name: string): Promise<{ id: string; name: string; secret: string }>;
  listOperatorTokens(): Promise<OperatorTokenRow[]>;
  revokeOperatorToken(id: string): Promise<{ revokedIds: string[] }>;
  importServiceAccounts(provider: string, csv: string, confirm: boolean, onProgress?: ImportProgress): Promise<ImportSummary>;
  verifyAudit(): Promise<AuditVerification>;
  /** One page of the sealed audit log after `after` (a record's seq), in chain order. */
  exportAudit(range: AuditExportRange): Promise<AuditRecord[]>;
  /** Active tokens not used for `days` days, newest first: what `tokens(filter: { status: ACTIVE, lastUsedBefore })` lists. */
  staleTokens(days: number): Promise<StaleReport>;
}

export interface AuditExportRange {
  /** ISO 8601 instants; `since` inclusive, `until` exclusive. */
  since?: string | null;
  until?: string | null;
  after?: string | null;
  limit?: number;
}

/** The commands against a keygate built by the composition root, acting as the operator. */
export class LocalCommands implements OperatorCommands {
  constructor(
    private readonly keygate: Pick<Keygate, 'core' | 'providers' | 'applied'>,
    private readonly origin = 'cli',
  ) {}

  private async operator(): Promise<RequestContext> {
    return { actor: await this.keygate.core.credentials.operator(), origin: this.origin };
  }

  async migrate() {
    return { applied: [...this.keygate.applied] };
  }

  async bootstrap() {
    return { token: await this.keygate.core.operatorTokens.bootstrap(this.origin) };
  }

  async createOperatorToken(name: string) {
    const issued = await this.keygate.core.operatorTokens.create(await this.operator(), name);
    return { id: issued.record.id, name: issued.record.name ?? name, secret: issued.secret! };
  }

  async listOperatorTokens() {
    const rows = await this.keygate.core.operatorTokens.list(await this.operator());
    return rows.map((t) => ({ ...t, createdAt: t.createdAt.toISOString(), lastUsedAt: t.lastUsedAt?.toISOString() ?? null, revokedAt: t.revokedAt?.toISOString() ?? null }));
  }

  async revokeOperatorToken(id: string) {
    return { revokedIds: await this.keygate.core.operatorTokens.revoke(await this.operator(), id) };
  }

  async importServiceAccounts(provider: string, csv: string, confirm: boolean, onProgress?: ImportProgress) {
    const result = await this.keygate.providers.importServiceAccounts(await this.operator(), provider, csv, confirm, { onProgress });
    return { confirmed: result.confirmed, total: result.total, valid: result.valid, errors: result.errors, created: result.created.length };
  }

  async verifyAudit() {
    return this.keygate.core.audit.chain.verify();
  }

  async exportAudit(range: AuditExportRange) {
    const instant = (value: string | null | undefined, field: string) => {
      if (value == null) return null;
      const date = new Date(value);
      if (Number.isNaN(date.getTime())) throw badInput(`--${field} is an ISO 8601 instant, e.g. 2026-01-31T00:00:00Z.`, { field });
      return date;
    };
    const limit = range.limit ?? 1000;
    return this.keygate.core.audit.chain.readSealed(range.after ?? null, limit, { since: instant(range.since, 'since'), until: instant(range.until, 'until') });
  }

  async staleTokens(days: number): Promise<StaleReport> {
    if (!Number.isInteger(days) || days < 0 || days > MAX_STALE_DAYS) throw badInput(`--days is a whole number of days from 0 to ${MAX_STALE_DAYS}.`, { field: 'days' });
    const { core, providers } = this.keygate;
    const ctx = await this.operator();
    const unusedSince = new Date(core.clock.now().getTime() - days * 86_400_000);
    const listed = [];
    for (let after: string | null = null; ; ) {
      const page = await core.tokenQueries.list(ctx, providers.all(), { status: 'ACTIVE', lastUsedBefore: unusedSince }, { first: MAX_PAGE, after });
      listed.push(...page.nodes);
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    const ownerIds = [...new Set(listed.map((l) => l.token.ownerId))];
    const owners = ownerIds.length ? await core.db.manager.find(PrincipalEntity, { where: { id: In(ownerIds) }, select: { id: true, name: true } }) : [];
    const names = new Map(owners.map((o) => [o.id, o.name]));
    const iso = (date: Date | null) => date?.toISOString() ?? null;
    const tokens = listed.map(({ type, token }) => ({
      id: token.id,
      type,
      provider: token.provider,
      name: token.name ?? null,
      serviceAccountId: token.ownerId,
      serviceAccountName: names.get(token.ownerId) ?? null,
      createdAt: token.createdAt.toISOString(),
      lastUsedAt: iso(token.lastUsedAt),
      expiresAt: iso(token.expiresAt),
    }));
    return { days, unusedSince: unusedSince.toISOString(), tokens };
  }
}
