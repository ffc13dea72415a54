/**
 * The live feed's store lookups (which store a device or camera belongs to) forgotten whenever a
 * domain event says they may have changed. Areas and lines do not move between stores.
 */
import { definePlugin } from '../api/plugin.ts';
import type { DomainEventName } from './events.ts';

const STORE_CHANGES: readonly DomainEventName[] = [
  'camera-changed',
  'device-moved',
  'device-revoked',
  'device-removed',
  'store-changed',
];

export function liveStoresPlugin(live: { forgetStores(): void }) {
  return definePlugin(
    'live-stores',
    async (app) => {
      const off = app.domain.onAny(STORE_CHANGES, () => live.forgetStores());
      app.addHook('onClose', async () => off());
    },
    { dependencies: ['domain-events'] },
  );
}
