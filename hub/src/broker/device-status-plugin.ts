/** Device status tracking as a named plugin: `app.deviceStatus`, drained when the app closes. */
import { definePlugin } from '../api/plugin.ts';
import type { DeviceStatusTracker } from './device-status.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The boxes' retained statuses recorded in the devices table. */
    deviceStatus: DeviceStatusTracker;
  }
}

export function deviceStatusPlugin(tracker: DeviceStatusTracker) {
  return definePlugin('device-status', async (app) => {
    app.decorate('deviceStatus', tracker);
    app.addHook('onClose', () => tracker.idle());
  });
}
