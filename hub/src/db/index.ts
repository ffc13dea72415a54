export * from './database.ts';
export * from './errors.ts';
export * from './lock.ts';
export * from './repositories/index.ts';
export * as schema from './schema.ts';
