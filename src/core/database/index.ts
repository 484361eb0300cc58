export * from './database';
export * from './mutex';
export * from './commit-order';
export * from './entity-rows';
