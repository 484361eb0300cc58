/**
 * Who is calling. Built once per request from the credential; everything downstream decides
 * from this alone.
 */
export interface Actor {
  kind: 'operator' | 'principal';
  /** The provider whose principal this is (`keygate` for the operator). */
  provider: string;
  principalId: string;
  /** The principal's kind as its provider calls it: user, service_account, api_token, … */
  principalKind: string;
  name: string;
  role: string | null;
  permissions: ReadonlySet<string>;
  personaIds: readonly string[];
  /** The credential that authenticated this request (for revoke-on-self and last-use). */
  credentialId: string;
  credentialExpiresAt: Date | null;
}

export function actorLabel(actor: Actor | null | undefined): string {
  if (!actor) return 'anonymous';
  if (actor.kind === 'operator') return 'operator';
  return `${actor.provider}:${actor.principalId}`;
}
