export * from './actor';
export * from './credential.service';
