export * from './probe.ts';
export { type UploadRoutesOptions, uploadsPlugin } from './routes.ts';
export * from './service.ts';
