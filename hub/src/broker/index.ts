export * from './acl.ts';
export type * from './bus.ts';
export * from './config-push.ts';
export * from './credentials.ts';
export * from './device-status.ts';
export * from './embedded.ts';
export * from './external.ts';
export * from './hub-bus.ts';
