export * from './destination';
export * from './webhook-message';
export * from './webhook.service';
export * from './webhook.dispatcher';
