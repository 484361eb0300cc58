import { Column, Entity, Index } from 'typeorm';
import { TokenColumns } from './token-columns';

/**
 * Every bearer credential: operator tokens, Alation API access tokens, Atlan API tokens and user
 * bearer tokens, Talend personal access tokens and exchanged service-account tokens. Opaque
 * tokens are found by `secret_hash`; signed tokens (JWTs) by `jti`.
 */
@Entity({ name: 'access_token' })
@Index('access_token_secret_hash', ['secretHash'], { unique: true })
@Index('access_token_owner', ['ownerId'])
@Index('access_token_by_provider', ['provider', 'createdAt', 'id'])
@Index('access_token_unannounced_expiry', ['expiresAt'], { where: 'expiry_announced_at IS NULL AND revoked_at IS NULL' })
@Index('access_token_unscheduled_expiry', ['expiresAt'], { where: 'expiry_announced_at IS NULL AND revoked_at IS NULL AND expiry_notice_at IS NULL' })
@Index('access_token_expiry_notice', ['expiryNoticeAt'], { where: 'expiry_announced_at IS NULL AND revoked_at IS NULL' })
@Index('access_token_refresh_token', ['refreshTokenId'])
@Index('access_token_kid', ['kid', 'expiresAt'], { where: 'kid IS NOT NULL AND revoked_at IS NULL' })
export class AccessTokenEntity extends TokenColumns {
  /** operator | access | api_token | bearer | personal | exchanged | jwt: how the provider issued it. */
  @Column({ type: 'varchar', length: 32 })
  kind: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  name: string | null;

  @Column({ name: 'refresh_token_id', type: 'uuid', nullable: true })
  refreshTokenId: string | null;

  @Index('access_token_jti', { unique: true, where: 'jti IS NOT NULL' })
  @Column({ type: 'varchar', length: 64, nullable: true })
  jti: string | null;

  /** The key that signed it (signed tokens only): a retired key stays published until its last token expires. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  kid: string | null;
}
