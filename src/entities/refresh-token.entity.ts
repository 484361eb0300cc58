import { Column, Entity, Index } from 'typeorm';
import { TokenColumns } from './token-columns';

@Entity({ name: 'refresh_token' })
@Index('refresh_token_secret_hash', ['secretHash'], { unique: true })
@Index('refresh_token_owner', ['ownerId'])
export class RefreshTokenEntity extends TokenColumns {
  @Column({ type: 'varchar', length: 255 })
  name: string;
}
