export * from './addresses.ts';
export * from './channels.ts';
export * from './enrollment.ts';
export * from './events.ts';
export * from './geometry.ts';
export * from './messages.ts';
export * from './topics.ts';
export * from './validate.ts';
