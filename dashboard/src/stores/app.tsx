/** The app's context: the API client and one store per domain (session, places, choice, live). */

import type { Alert } from '@oskartrack/protocol';
import { createContext, type JSX, onCleanup, useContext } from 'solid-js';
import { produce, type SetStoreFunction } from 'solid-js/store';
import { ApiClient, browserLock, browserStorage, describeError, type SessionUser } from '../api/client.ts';
import { listCameras, listDevices, listStores } from '../api/endpoints.ts';
import type { Camera, Device, Store } from '../api/types.ts';
import type { CameraHealth } from '../lib/camera-health.ts';
import { type DayRange, presetRange } from '../lib/format.ts';
import {
  connectLive,
  type JobProgress,
  type LiveConnection,
  type LiveEvent,
  type LiveMessage,
  type LiveTrack,
  type VideoPicture,
} from '../lib/live.ts';
import { defineStore } from './factory.ts';

export const MAX_FEED = 60;

export function createSessionStore(api: ApiClient) {
  return defineStore({ user: api.user as SessionUser | null, notice: '' }, (_state, set) => {
    api.subscribe((s) => set('user', s?.user ?? null));
    return {
      async login(name: string, password: string) {
        const user = await api.login(name, password);
        set({ user, notice: '' });
        return user;
      },
      async logout() {
        await api.logout();
        set('user', null);
      },
      signedOut(reason: string) {
        set({ user: null, notice: reason });
      },
    };
  });
}

export function createPlacesStore(api: ApiClient) {
  return defineStore(
    {
      stores: [] as Store[],
      devices: [] as Device[],
      cameras: [] as Camera[],
      loaded: false,
      error: '',
    },
    (state, set) => {
      let loading: Promise<void> | null = null;
      // Live statuses that may be newer than a device list still on its way: a list fetched before a
      // box came online must not hide the status that said so.
      type DevicePatch = Partial<Pick<Device, 'online' | 'outboxDepth' | 'configRevision'>>;
      const liveStatus = new Map<string, { tick: number; patch: DevicePatch }>();
      let tick = 0;
      const withLive = (devices: Device[], since: number): Device[] =>
        devices.map((d) => {
          const l = liveStatus.get(d.id);
          return l && l.tick > since ? { ...d, ...l.patch } : d;
        });
      const fetchDevices = async (): Promise<Device[]> => {
        const since = tick;
        return withLive(await listDevices(api), since);
      };
      const actions = {
        load(force = false): Promise<void> {
          if (state.loaded && !force) return Promise.resolve();
          if (!loading) {
            loading = (async () => {
              try {
                const [stores, devices, cameras] = await Promise.all([
                  listStores(api),
                  fetchDevices(),
                  listCameras(api),
                ]);
                set({ stores, devices, cameras, loaded: true, error: '' });
              } catch (err) {
                set('error', describeError(err));
              } finally {
                loading = null;
              }
            })();
          }
          return loading;
        },
        async refreshDevices() {
          try {
            set('devices', await fetchDevices());
          } catch {
            // The overview shows the last known state; the next poll tries again.
          }
        },
        /** A live status message: path-based update of one device. */
        deviceStatus(id: string, patch: DevicePatch) {
          tick += 1;
          liveStatus.set(id, { tick, patch: { ...liveStatus.get(id)?.patch, ...patch } });
          const i = state.devices.findIndex((d) => d.id === id);
          if (i < 0) return;
          for (const [k, v] of Object.entries(patch) as [keyof typeof patch, never][]) {
            if (v !== undefined) set('devices', i, k, v);
          }
        },
        camerasOf(storeId: string | null): Camera[] {
          return state.cameras.filter((c) => !storeId || c.storeId === storeId);
        },
        storeName(id: string): string {
          return state.stores.find((s) => s.id === id)?.name ?? id;
        },
      };
      return actions;
    },
  );
}

const CHOICE_KEY = 'oskartrack.choice';

interface Choice {
  storeId: string | null;
  cameraId: string | null;
  range: DayRange;
}

function loadChoice(): Choice {
  const fallback: Choice = { storeId: null, cameraId: null, range: presetRange('today') };
  try {
    const saved = JSON.parse(localStorage.getItem(CHOICE_KEY) ?? 'null') as Partial<Choice> | null;
    return saved
      ? { ...fallback, storeId: saved.storeId ?? null, cameraId: saved.cameraId ?? null }
      : fallback;
  } catch {
    return fallback;
  }
}

/** The store, camera and days the pages show, shared between pages and remembered. */
export function createChoiceStore() {
  return defineStore(loadChoice(), (state, set) => {
    const save = () => {
      try {
        localStorage.setItem(
          CHOICE_KEY,
          JSON.stringify({ storeId: state.storeId, cameraId: state.cameraId }),
        );
      } catch {
        // No storage: the choice lasts for this page only.
      }
    };
    return {
      setStore(storeId: string | null) {
        set({ storeId, cameraId: null });
        save();
      },
      setCamera(cameraId: string | null) {
        set('cameraId', cameraId);
        save();
      },
      setRange(range: DayRange) {
        set('range', range);
      },
    };
  });
}

export interface CameraLive {
  /** The box's time of the frame. */
  at: number;
  /** This browser's time it arrived (the box's clock may differ). */
  receivedAt: number;
  width: number;
  height: number;
  tracks: LiveTrack[];
}

export interface LiveCounts {
  appeared: number;
  walkedIn: number;
  walkedOut: number;
  areaEntries: number;
  visitsEnded: number;
}

const zeroCounts = (): LiveCounts => ({
  appeared: 0,
  walkedIn: 0,
  walkedOut: 0,
  areaEntries: 0,
  visitsEnded: 0,
});

/** What one event adds to its camera's counters since the page opened. */
function countEvent(c: LiveCounts, e: LiveEvent): void {
  if (e.kind === 'track_started') c.appeared++;
  else if (e.kind === 'zone_entered') c.areaEntries++;
  else if (e.kind === 'visit_closed') c.visitsEnded++;
  else if (e.kind === 'line_crossed') {
    if (e.direction === 'out') c.walkedOut++;
    else c.walkedIn++;
  }
}

const emptyLiveState = () => ({
  connection: 'closed' as 'closed' | 'connecting' | 'open',
  cameras: {} as Record<string, CameraLive>,
  /** The latest picture of each watched camera (live video), with when it arrived. */
  video: {} as Record<string, VideoPicture & { receivedAt: number }>,
  /** Each camera's picture as its box last reported it. */
  health: {} as Record<string, CameraHealth>,
  counts: {} as Record<string, LiveCounts>,
  events: [] as LiveEvent[],
  jobs: {} as Record<string, JobProgress>,
  /** Alerts fired or cleared since the page opened, newest first (the Alerts page and banner reload on them). */
  alerts: [] as Alert[],
  notice: '',
});
type LiveState = ReturnType<typeof emptyLiveState>;
type DeviceMessage = Extract<LiveMessage, { type: 'device' }>;

/** What each live feed message changes in the live store. */
function liveMessageHandler(set: SetStoreFunction<LiveState>, onDevice: (m: DeviceMessage) => void) {
  return (m: LiveMessage) => {
    switch (m.type) {
      case 'tracks':
        set('cameras', m.cameraId, {
          at: m.at,
          receivedAt: Date.now(),
          width: m.width,
          height: m.height,
          tracks: m.tracks,
        });
        break;
      case 'event': {
        const e = m.event;
        set(
          produce((s) => {
            s.events.unshift(e);
            if (s.events.length > MAX_FEED) s.events.length = MAX_FEED;
            let c = s.counts[e.cameraId];
            if (!c) {
              c = zeroCounts();
              s.counts[e.cameraId] = c;
            }
            countEvent(c, e);
          }),
        );
        break;
      }
      case 'video':
        set('video', m.picture.cameraId, { ...m.picture, receivedAt: Date.now() });
        break;
      case 'job':
        set('jobs', m.job.jobId, m.job);
        break;
      case 'device':
        for (const c of m.cameras) set('health', c.cameraId, c);
        onDevice(m);
        break;
      case 'alert':
        set('alerts', (list) => [m.alert, ...list].slice(0, MAX_FEED));
        break;
      case 'notice':
        set('notice', m.text);
        break;
    }
  };
}

export function createLiveStore(
  api: ApiClient,
  onDevice: (m: Extract<LiveMessage, { type: 'device' }>) => void,
) {
  return defineStore(emptyLiveState(), (_state, set) => {
    let conn: LiveConnection | null = null;
    let lastToken = '';
    api.subscribe((s) => {
      if (s && lastToken && s.accessToken !== lastToken) conn?.reauth(s.accessToken);
      lastToken = s?.accessToken ?? '';
    });
    const handle = liveMessageHandler(set, onDevice);
    return {
      /** Opens the feed once (pages call this; it stays open while signed in). */
      start() {
        if (conn) return;
        conn = connectLive({
          token: () => api.token(),
          onMessage: handle,
          onState: (s) => set('connection', s),
        });
      },
      watch(cameraId: string) {
        this.start();
        conn?.subscribe(cameraId);
      },
      /** Live video of one camera while the Live page shows it. */
      watchVideo(cameraId: string) {
        this.start();
        conn?.watchVideo(cameraId);
      },
      unwatchVideo(cameraId: string) {
        conn?.unwatchVideo(cameraId);
      },
      stop() {
        conn?.close();
        conn = null;
        set('connection', 'closed');
      },
      job(j: JobProgress) {
        set('jobs', j.jobId, j);
      },
      handle,
    };
  });
}

export function createAppStores(api: ApiClient) {
  const session = createSessionStore(api);
  const places = createPlacesStore(api);
  const choice = createChoiceStore();
  const live = createLiveStore(api, (m) =>
    places.actions.deviceStatus(m.deviceId, {
      ...(m.online !== null ? { online: m.online } : {}),
      ...(m.outboxDepth !== undefined ? { outboxDepth: m.outboxDepth } : {}),
      ...(m.configRevision !== undefined ? { configRevision: m.configRevision } : {}),
    }),
  );
  return { api, session, places, choice, live };
}

export type AppStores = ReturnType<typeof createAppStores>;

const AppContext = createContext<AppStores>();

export function createBrowserApi(): ApiClient {
  return new ApiClient({ storage: browserStorage(), withLock: browserLock });
}

export function AppProvider(props: { stores: AppStores; children: JSX.Element }) {
  onCleanup(() => props.stores.live.actions.stop());
  return <AppContext.Provider value={props.stores}>{props.children}</AppContext.Provider>;
}

export function useApp(): AppStores {
  const ctx = useContext(AppContext);
  if (!ctx) throw new Error('useApp outside AppProvider');
  return ctx;
}
