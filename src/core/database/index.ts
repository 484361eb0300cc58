export * from './database';
export * from './mutex';
