import { type DeviceAccounts, noDeviceAccounts } from '../../../broker/device-accounts.ts';
import { definePlugin } from '../../plugin.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The boxes' broker accounts: created at enrollment, cut off at revocation and removal. */
    deviceAccounts: DeviceAccounts;
  }
}

export default definePlugin<{ accounts?: DeviceAccounts | undefined }>(
  'device-accounts',
  async (app, opts) => {
    app.decorate('deviceAccounts', opts.accounts ?? noDeviceAccounts);
  },
);
