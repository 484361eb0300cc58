export * from './principal.service';
