export * from './event.service';
