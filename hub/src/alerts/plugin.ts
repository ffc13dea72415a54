/**
 * The alert engine as a named plugin of `serve`: `app.alerts`, started when the app is ready, fed by
 * the live feed's device statuses, telling the feed of every alert fired or cleared, stopped when the
 * app closes (before the database is).
 */
import { definePlugin } from '../api/plugin.ts';
import type { LiveFeed } from '../live/index.ts';
import { AlertEngine } from './engine.ts';
import type { StatusSource } from './facts.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Evaluates the alert rules periodically and on status changes. */
    alerts: AlertEngine;
  }
}

export interface AlertsPluginOptions {
  /** Evaluation interval; default 15 s. */
  intervalMs?: number;
}

/** The feed's latest status of a unit with when it arrived (the conditions correct the unit's clock). */
export function heardStatusOf(live: Pick<LiveFeed, 'latestStatus' | 'statusReceivedAt'>): StatusSource {
  return (deviceId) => {
    const status = live.latestStatus(deviceId);
    const receivedAt = live.statusReceivedAt(deviceId);
    return status && receivedAt !== undefined ? { status, receivedAt } : undefined;
  };
}

export function alertsPlugin(live: LiveFeed, options: AlertsPluginOptions = {}) {
  return definePlugin(
    'alert-engine',
    async (app) => {
      const engine = new AlertEngine({
        db: app.database.db,
        statusOf: heardStatusOf(live),
        log: app.log,
        onChange: (alert) => {
          live.alert(alert);
          // Its e-mails, webhooks and MQTT messages go now, not at the worker's next poll.
          app.alertDelivery.wake();
        },
        ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
      });
      app.decorate('alerts', engine);
      const off = live.onStatus(() => engine.request());
      app.addHook('onReady', async () => engine.start());
      app.addHook('onClose', async () => {
        off();
        await engine.stop();
      });
    },
    { dependencies: ['database', 'live-feed', 'alert-delivery'] },
  );
}
