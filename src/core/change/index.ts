export * from './change';
export * from './group-commit';
