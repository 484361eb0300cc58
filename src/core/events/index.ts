export * from './event.service';
export * from './evicted-cache';
