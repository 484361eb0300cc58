export { Gateway, type GatewayOptions } from './server/gateway';
export { loadConfig, ConfigError, type GatewayConfig } from './config';
export { createKeygate, type Keygate } from './server/keygate';
export type { ProviderPlugin, ProviderFactory } from './plugins/provider';
