export * from './geometry.ts';
export * from './lines.ts';
export * from './path.ts';
export * from './scene.ts';
export * from './scene-analytics.ts';
export * from './scene-file.ts';
export * from './zones.ts';
