/**
 * The hub's MQTT side: device statuses, ingest, the live feed's sources and every device's config,
 * set up in the bus's `prepare` hook, which runs after the bus is up and before the hub announces
 * itself online (and, embedded, before any box can connect): a box that sees the hub online and
 * resends its backlog always finds ingest subscribed. The same parts then join the app as named
 * plugins (`mqttSidePlugins`), for the routes' domain events and an orderly stop with `app.close()`.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { MessageBus } from './broker/bus.ts';
import { ConfigPush } from './broker/config-push.ts';
import { configPushPlugin } from './broker/config-push-plugin.ts';
import { type DeviceStatusTracker, trackDeviceStatus } from './broker/device-status.ts';
import { deviceStatusPlugin } from './broker/device-status-plugin.ts';
import { takeoverPlugin } from './broker/takeover-plugin.ts';
import type { DatabaseHandle } from './db/database.ts';
import type { Repositories } from './db/repositories/index.ts';
import { liveStoresPlugin } from './domain/live-stores.ts';
import { type Announce, Ingest } from './ingest/index.ts';
import { ingestPlugin } from './ingest/plugin.ts';
import type { LiveFeed } from './live/index.ts';

export interface MqttSide {
  ingest: Ingest;
  push: ConfigPush;
  status: DeviceStatusTracker;
}

export interface MqttSideOptions {
  db: DatabaseHandle;
  repos: Repositories;
  log: Logger;
  live: LiveFeed;
  /** Every device offline until it reports (embedded broker: none is connected yet). */
  markAllOffline: boolean;
  /** Tells the other hub processes of each commit's events (cluster/live-bridge.ts), if any. */
  announce?: Announce | undefined;
  /** After each commit of a device's events, besides the live feed (the answer cache). */
  onStored?: ((deviceId: string) => void) | undefined;
}

/** Subscribes the hub's modules on `bus` and publishes every device's config; call it from `prepare`. */
export async function startMqttSide(bus: MessageBus, o: MqttSideOptions): Promise<MqttSide> {
  await o.live.attach(bus);
  const status = await trackDeviceStatus({
    bus,
    devices: o.repos.devices,
    log: o.log,
    markAllOffline: o.markAllOffline,
    onStatus: (deviceId, s) => o.live.deviceStatus(deviceId, s),
  });
  const ingest = new Ingest({
    bus,
    db: o.db,
    log: o.log,
    onStored: (deviceId, events) => {
      o.onStored?.(deviceId);
      o.live.eventsStored(deviceId, events);
    },
    ...(o.announce ? { announce: o.announce } : {}),
  });
  await ingest.start();
  const push = new ConfigPush({ db: o.db.db, bus, log: o.log });
  await push.publishAll();
  return { ingest, push, status };
}

/** The MQTT side's parts as named plugins (each needs `domain-events` where it listens to changes). */
export function mqttSidePlugins(side: MqttSide, live: LiveFeed): FastifyPluginAsync[] {
  return [
    deviceStatusPlugin(side.status),
    takeoverPlugin,
    ingestPlugin(side.ingest),
    configPushPlugin(side.push),
    liveStoresPlugin(live),
  ];
}
