export * from './resource.service';
