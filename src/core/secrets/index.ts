export * from './secret-format';
export * from './password';
export * from './issued';
