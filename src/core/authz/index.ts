export * from './requirement';
export * from './authorize';
export * from './access-guard';
