export * from './actor';
export * from './credential.service';
export * from './basic';
export * from './operator-tokens';
