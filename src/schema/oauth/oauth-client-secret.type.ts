import { Field, ObjectType } from 'type-graphql';
import type { PrincipalEntity } from '../../entities';

@ObjectType({ description: 'A client secret that works (never the secret itself).' })
export class OAuthClientSecret {
  @Field({ description: 'True for the newest secret; false for the previous one, kept for a rotation overlap.' })
  current: boolean;

  @Field(() => Date, { nullable: true, description: 'When it stops working; null: until the next regeneration.' })
  expiresAt: Date | null;
}

/** Which secrets an account has, without the hashes: nothing of a secret leaves the entity. */
export interface SecretState {
  current: boolean;
  /** The previous secret's expiry, when there is one. */
  previousUntil: Date | null;
}

export function secretStateOf(entity: Pick<PrincipalEntity, 'secretHash' | 'previousSecretHash' | 'previousSecretExpiresAt'>): SecretState {
  return { current: Boolean(entity.secretHash), previousUntil: entity.previousSecretHash ? entity.previousSecretExpiresAt : null };
}

/** The current secret, and the previous one while its overlap lasts. */
export function workingSecrets(state: SecretState, now: Date): OAuthClientSecret[] {
  const secrets: OAuthClientSecret[] = state.current ? [{ current: true, expiresAt: null }] : [];
  if (state.previousUntil && state.previousUntil > now) secrets.push({ current: false, expiresAt: state.previousUntil });
  return secrets;
}
