import { registerEnumType } from 'type-graphql';

export enum TokenStatusValue {
  ACTIVE = 'ACTIVE',
  EXPIRED = 'EXPIRED',
  REVOKED = 'REVOKED',
}

registerEnumType(TokenStatusValue, { name: 'TokenStatus', description: 'Computed from expiry and revocation; revocation wins.' });
