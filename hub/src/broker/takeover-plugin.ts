/**
 * A box enrolled again takes over its old identity when its new one first reports online
 * (api/re-enrollment.ts): the cameras move, the old credential is revoked everywhere, and the boxes
 * get their new configurations. With several hubs each one hears the status; one of them does it.
 */
import { definePlugin } from '../api/plugin.ts';
import { completeTakeover } from '../api/re-enrollment.ts';
import { revokedEverywhere } from '../api/revoked-everywhere.ts';
import { inTransaction } from '../db/repositories/index.ts';

export const takeoverPlugin = definePlugin(
  'takeovers',
  async (app) => {
    const running = new Set<Promise<void>>();
    let closing = false;
    const takeOver = async (deviceId: string): Promise<void> => {
      const done = await inTransaction(app.database.db, (repos) => completeTakeover(repos, deviceId));
      if (!done) return;
      app.log.info(
        { deviceId, replaced: done.oldIds, cameras: done.cameras },
        'box took over its old identity',
      );
      app.domain.emit('config-changed', { deviceIds: [...done.oldIds, deviceId] });
      // Already revoked in the database; the hub's reconciliation disables the account later if this fails.
      for (const oldId of done.oldIds)
        await revokedEverywhere(app, oldId).catch((error: unknown) => {
          app.log.warn(
            { err: error, deviceId: oldId },
            "the replaced box's broker account was not disabled yet",
          );
        });
    };
    const start = (deviceId: string) => {
      if (closing) return;
      const run = takeOver(deviceId)
        .catch((error: unknown) => {
          app.log.error({ err: error, deviceId }, 'taking over the old identity of a box failed');
        })
        .finally(() => running.delete(run));
      running.add(run);
    };
    app.deviceStatus.listen((deviceId, status) => {
      if (status.state === 'online') start(deviceId);
    });
    // Statuses recorded while the hub started, before this listened.
    app.addHook('onReady', async () => {
      for (const deviceId of await app.repos.devices.onlineWithTakeover()) start(deviceId);
    });
    app.addHook('onClose', async () => {
      closing = true;
      await Promise.all(running);
    });
  },
  { dependencies: ['database', 'repositories', 'device-status', 'domain-events', 'device-accounts'] },
);
