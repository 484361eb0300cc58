export { Gateway, type GatewayOptions } from './server/gateway';
export { loadConfig, type GatewayConfig } from './config';
export type { ProviderPlugin, ProviderFactory } from './plugins/provider';
