export * from './token-status';
export * from './token-query.service';
