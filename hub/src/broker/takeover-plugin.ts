/**
 * A box enrolled again takes over its old identity when its new one first reports online
 * (api/re-enrollment.ts): the cameras move, the old credential is revoked everywhere, and both boxes
 * get their new configuration. With several hubs each one hears the status; one of them does it.
 */
import { definePlugin } from '../api/plugin.ts';
import { completeTakeover } from '../api/re-enrollment.ts';
import { revokedEverywhere } from '../api/revoked-everywhere.ts';
import { inTransaction } from '../db/repositories/index.ts';

export const takeoverPlugin = definePlugin(
  'takeovers',
  async (app) => {
    const takeOver = async (deviceId: string): Promise<void> => {
      const done = await inTransaction(app.database.db, (repos) => completeTakeover(repos, deviceId));
      if (!done) return;
      app.log.info(
        { deviceId, replaced: done.oldId, cameras: done.cameras },
        'box took over its old identity',
      );
      app.domain.emit('config-changed', { deviceIds: [done.oldId, deviceId] });
      // Already revoked in the database; the hub's reconciliation disables the account later if this fails.
      await revokedEverywhere(app, done.oldId).catch((error: unknown) => {
        app.log.warn(
          { err: error, deviceId: done.oldId },
          "the replaced box's broker account was not disabled yet",
        );
      });
    };
    const start = (deviceId: string) =>
      takeOver(deviceId).catch((error: unknown) => {
        app.log.error({ err: error, deviceId }, 'taking over the old identity of a box failed');
      });
    app.deviceStatus.listen((deviceId, status) => {
      if (status.state === 'online') void start(deviceId);
    });
    // Statuses recorded while the hub started, before this listened.
    app.addHook('onReady', async () => {
      for (const deviceId of await app.repos.devices.onlineWithTakeover()) void start(deviceId);
    });
  },
  { dependencies: ['database', 'repositories', 'device-status', 'domain-events', 'device-accounts'] },
);
