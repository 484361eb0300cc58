export * from './token-status';
