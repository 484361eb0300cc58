export * from './principal.service';
export * from './email';
