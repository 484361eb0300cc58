export * from './jwt';
export * from './master-key';
export * from './signing.service';
export * from './issuer';
