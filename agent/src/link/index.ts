export { ForgetfulStore } from './forgetful-store.ts';
export { type CameraStatus, type HubState, Link, type LinkOptions, type LinkState } from './link.ts';
