/**
 * The places store and the live feed: a device list that was asked for before a box came online must
 * not hide the live status that arrived while the list was on its way.
 */
import { describe, expect, it } from 'vitest';
import { ApiClient, memoryStorage } from '../../src/api/client.ts';
import { createPlacesStore } from '../../src/stores/app.tsx';

const NOW = Date.parse('2026-06-01T10:00:00Z');
const ISO = new Date(NOW).toISOString();
const device = (online: boolean) => ({
  id: 'box-1',
  storeId: 'store-1',
  name: 'Front door',
  kind: 'box',
  online,
  revoked: false,
  lastSeenAt: null,
  statusAt: null,
  outboxDepth: 0,
  outboxOldestAgeMs: 0,
  softwareVersion: null,
  configRevision: 1,
  connection: 0,
  createdAt: ISO,
  updatedAt: ISO,
});

function signedIn(fetchImpl: typeof fetch): ApiClient {
  const storage = memoryStorage();
  storage.save({
    accessToken: 'a1',
    expiresAt: NOW + 900_000,
    refreshToken: 'r1',
    refreshExpiresAt: NOW + 86_400_000,
    user: { id: 'u1', name: 'ann', role: 'admin', storeIds: [] },
  });
  return new ApiClient({ storage, fetch: fetchImpl, now: () => NOW });
}

/** A hub whose device list answers only when told, with the box offline (as it was when asked). */
function slowDeviceList() {
  let release = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const fetchImpl = (async (url: string | URL | Request) => {
    const path = String(url);
    if (path.endsWith('/api/devices')) await gate;
    const body = path.endsWith('/api/devices') ? [device(false)] : [];
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof fetch;
  return { fetchImpl, release };
}

describe('places store', () => {
  it('keeps a live status that arrived while the device list was loading', async () => {
    const hub = slowDeviceList();
    const places = createPlacesStore(signedIn(hub.fetchImpl));
    const loading = places.actions.load();
    places.actions.deviceStatus('box-1', { online: true });
    hub.release();
    await loading;
    expect(places.state.error).toBe('');
    expect(places.state.devices.map((d) => d.online)).toEqual([true]);
  });

  it('takes the list as it is when no status came after it was asked for', async () => {
    const hub = slowDeviceList();
    const places = createPlacesStore(signedIn(hub.fetchImpl));
    places.actions.deviceStatus('box-1', { online: true });
    const loading = places.actions.load();
    hub.release();
    await loading;
    expect(places.state.devices.map((d) => d.online)).toEqual([false]);
  });
});
