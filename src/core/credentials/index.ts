export * from './actor';
export * from './credential.service';
export * from './operator-tokens';
