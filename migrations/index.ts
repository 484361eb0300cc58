import { InitialSchema1732300000000 } from './1732300000000-initial-schema';
import { SigningKeys1732300000001 } from './1732300000001-signing-keys';
import { Resources1732300004000 } from './1732300004000-resources';
import { ExpiryEvents1732300005000 } from './1732300005000-expiry-events';
import { TokenKidIndex1732300006000 } from './1732300006000-token-kid-index';
import { DropSigningKeyPublishUntil1732300011000 } from './1732300011000-drop-signing-key-publish-until';
import { EventCommitOrder1732300012000 } from './1732300012000-event-commit-order';
import { ListIndexes1732300012001 } from './1732300012001-list-indexes';
import { AuthFailure1732300021000 } from './1732300021000-auth-failure';
import { ExpiryWarnings1732300022000 } from './1732300022000-expiry-warnings';
import { PreviousClientSecret1732300022001 } from './1732300022001-previous-client-secret';
import { ExpiryNotice1732300022002 } from './1732300022002-expiry-notice';
import { AuditChain1732300023000 } from './1732300023000-audit-chain';
import { Webhooks1732300024000 } from './1732300024000-webhooks';
import { WebhookAuditCursor1732300024001 } from './1732300024001-webhook-audit-cursor';

/** Every migration, oldest first. The same list runs on PostgreSQL and embedded PGlite. */
export const migrations = [
  InitialSchema1732300000000,
  SigningKeys1732300000001,
  Resources1732300004000,
  ExpiryEvents1732300005000,
  TokenKidIndex1732300006000,
  DropSigningKeyPublishUntil1732300011000,
  EventCommitOrder1732300012000,
  ListIndexes1732300012001,
  AuthFailure1732300021000,
  ExpiryWarnings1732300022000,
  PreviousClientSecret1732300022001,
  ExpiryNotice1732300022002,
  AuditChain1732300023000,
  Webhooks1732300024000,
  WebhookAuditCursor1732300024001,
];
