export * from './database';
export * from './mutex';
export * from './commit-order';
