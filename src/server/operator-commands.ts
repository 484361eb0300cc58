import type { OperatorTokenInfo, RequestContext } from '../core';
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
}

/** The commands against a keygate built by the composition root, acting as the operator. */
export class LocalCommands implements OperatorCommands {
  constructor(
    private readonly keygate: Keygate,
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
}
