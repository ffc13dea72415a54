/**
 * The alert delivery worker as a named plugin: `app.alertDelivery`, started with the app and stopped
 * (after the send under way) when it closes. Every hub process runs one; they share the work through
 * the database (hub/src/alerts/delivery/queue.ts).
 */
import { DeliveryWorker, type DeliveryWorkerOptions } from '../../../alerts/delivery/index.ts';
import type { MessageBus } from '../../../broker/bus.ts';
import { definePlugin } from '../../plugin.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Sends alert e-mails, webhooks and MQTT messages from the `alert_deliveries` table. */
    alertDelivery: DeliveryWorker;
  }
}

export interface AlertDeliveryPluginOptions {
  bus?: MessageBus | undefined;
  /** Clock, poll interval and limits (tests). */
  worker?: Partial<Omit<DeliveryWorkerOptions, 'db' | 'mailer' | 'bus' | 'log'>>;
}

export default definePlugin<AlertDeliveryPluginOptions>(
  'alert-delivery',
  async (app, opts) => {
    const worker = new DeliveryWorker({
      ...opts.worker,
      db: app.database.db,
      mailer: app.mailer,
      bus: opts.bus,
      log: app.log,
    });
    app.decorate('alertDelivery', worker);
    app.addHook('onReady', async () => worker.start());
    app.addHook('onClose', async () => worker.stop());
  },
  { dependencies: ['database', 'mailer'] },
);
