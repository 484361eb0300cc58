import type { Actor } from './credentials/actor';

/** What every core call knows about the request it serves. */
export interface RequestContext {
  actor: Actor | null;
  /** `graphql 127.0.0.1`, `rest 10.0.0.7`, `ws …`, `cli`: written to the audit log. */
  origin: string;
  /** The client's address (failure limits count per address); absent for local commands. */
  address?: string;
}

/** What core needs to know of a provider: its id, its policy, its lifespans, its catalog. */
export interface ProviderDescriptor {
  id: string;
  policy: import('./authz').Policy;
  /** Seconds per token kind; `null` never expires. Config overrides these defaults. */
  lifespans: Readonly<Record<string, number | null>>;
  catalog?: {
    roles?: readonly string[];
    permissions?: readonly { id: string; name: string }[];
    /** The principal kinds it has, when a policy tells them apart: a list without a kind shows the kinds the caller may list. */
    kinds?: readonly string[];
    /** The provider keeps personas (an operator's `createPersona` without a provider makes one here). */
    personas?: boolean;
  };
}
