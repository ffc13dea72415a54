import type { FastifyInstance } from 'fastify';

/** A credential revoked in the database: the hub's parts cut the box off, the broker disables its account. */
export function revokedEverywhere(
  app: Pick<FastifyInstance, 'domain' | 'deviceAccounts'>,
  deviceId: string,
): Promise<void> {
  app.domain.emit('device-revoked', { deviceId });
  return app.deviceAccounts.revoke(deviceId);
}
