/**
 * Config push as a named plugin: `app.configPush`, fed by the domain events the routes raise and by
 * boxes reporting a revision above the hub's (ConfigPush.catchUp). Only the devices a change touches
 * are rebuilt; every device's config is published once at start (the bus's
 * prepare hook, hub-side.ts), not here.
 */
import type { FastifyBaseLogger } from 'fastify';
import { definePlugin } from '../api/plugin.ts';
import type { DomainEvents } from '../domain/events.ts';
import type { ConfigPush } from './config-push.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Builds and publishes the boxes' configs (retained, signed). */
    configPush: ConfigPush;
  }
}

/** Pushes what the domain events say changed; returns the function that stops listening. */
export function pushOnChanges(push: ConfigPush, domain: DomainEvents, log: FastifyBaseLogger): () => void {
  const failed = (err: unknown) => log.error({ err }, 'config push failed');
  const offs = [
    domain.on('config-changed', ({ deviceIds }) => void push.publishDevices(deviceIds).catch(failed)),
    domain.on('geometry-changed', ({ cameraId }) => void push.publishCamera(cameraId).catch(failed)),
    domain.on('device-removed', ({ deviceId }) => void push.removeDevice(deviceId).catch(failed)),
  ];
  return () => {
    for (const off of offs) off();
  };
}

export function configPushPlugin(push: ConfigPush) {
  return definePlugin(
    'config-push',
    async (app) => {
      app.decorate('configPush', push);
      const stop = pushOnChanges(push, app.domain, app.log);
      app.deviceStatus.listen((deviceId, status) => {
        if (status.state !== 'online') return;
        push.catchUp(deviceId, status.configRevision).catch((err: unknown) => {
          app.log.error({ err, deviceId }, 'config push failed');
        });
      });
      app.addHook('onClose', async () => {
        stop();
        await push.idle();
      });
    },
    { dependencies: ['domain-events', 'device-status'] },
  );
}
