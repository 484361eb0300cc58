import { Column, Entity, Index } from 'typeorm';
import { TokenColumns } from './token-columns';

@Entity({ name: 'refresh_token' })
@Index('refresh_token_secret_hash', ['secretHash'], { unique: true })
@Index('refresh_token_owner', ['ownerId'])
@Index('refresh_token_by_provider', ['provider', 'createdAt', 'id'])
@Index('refresh_token_unannounced_expiry', ['expiresAt'], { where: 'expiry_announced_at IS NULL AND revoked_at IS NULL' })
@Index('refresh_token_unscheduled_expiry', ['expiresAt'], { where: 'expiry_announced_at IS NULL AND revoked_at IS NULL AND expiry_notice_at IS NULL' })
@Index('refresh_token_expiry_notice', ['expiryNoticeAt'], { where: 'expiry_announced_at IS NULL AND revoked_at IS NULL' })
export class RefreshTokenEntity extends TokenColumns {
  @Column({ type: 'varchar', length: 255 })
  name: string;
}
