/**
 * The hub's live feed (`/ws?token=...`): device status, tracked boxes per camera, stored events and
 * upload job progress. Messages are read defensively (unknown ones are ignored, fields are checked),
 * and the socket reconnects with a growing pause and a fresh token.
 */

import { type CameraHealth, camerasOf } from './camera-health.ts';

export interface LiveTrack {
  id: number;
  /** left, top, width, height in picture pixels. */
  box: [number, number, number, number];
  score: number;
}

export interface LiveEvent {
  kind: string;
  at: number;
  cameraId: string;
  storeId?: string | undefined;
  trackId?: number | undefined;
  zoneId?: string | null | undefined;
  lineId?: string | null | undefined;
  direction?: string | undefined;
  dwellMs?: number | undefined;
  durationMs?: number | undefined;
}

export interface JobProgress {
  jobId: string;
  state: string;
  /** 0..1 */
  progress: number;
  message?: string | undefined;
  cameraId?: string | undefined;
  fileName?: string | undefined;
  /** What a finished upload found (hub/src/live/messages.ts UploadSummary), as sent. */
  summary?: UploadSummary | undefined;
}

export interface UploadSummary {
  events: Record<string, number>;
  visitors: number;
  visits: number;
  lines: { lineId: string; name: string; in: number; out: number }[];
  zones: { zoneId: string; name: string; entries: number; exits: number; dwellMs: number }[];
  videoSeconds: number;
}

export type LiveMessage =
  | { type: 'tracks'; cameraId: string; at: number; width: number; height: number; tracks: LiveTrack[] }
  | { type: 'event'; event: LiveEvent }
  | {
      type: 'device';
      deviceId: string;
      online: boolean | null;
      outboxDepth?: number | undefined;
      configRevision?: number | undefined;
      /** Each camera's picture: state, since when, gaps (absent in older messages). */
      cameras: CameraHealth[];
    }
  | { type: 'job'; job: JobProgress }
  | { type: 'notice'; text: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const time = (v: unknown): number | undefined =>
  num(v) ?? (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : undefined);

function tracksOf(v: unknown): LiveTrack[] {
  if (!Array.isArray(v)) return [];
  const out: LiveTrack[] = [];
  for (const t of v) {
    if (!isObj(t)) continue;
    const id = num(t.id ?? t.trackId);
    const b = t.box;
    if (id === undefined || !Array.isArray(b) || b.length !== 4 || !b.every((x) => num(x) !== undefined))
      continue;
    out.push({
      id,
      box: [b[0], b[1], b[2], b[3]] as [number, number, number, number],
      score: num(t.score) ?? 1,
    });
  }
  return out;
}

function eventOf(e: Obj, outer: Obj): LiveEvent | null {
  const kind = str(e.kind);
  const cameraId = str(e.cameraId) ?? str(outer.cameraId);
  if (!kind || !cameraId) return null;
  return {
    kind,
    cameraId,
    at: time(e.at) ?? Date.now(),
    storeId: str(e.storeId) ?? str(outer.storeId),
    trackId: num(e.trackId),
    zoneId: str(e.zoneId) ?? null,
    lineId: str(e.lineId) ?? null,
    direction: str(e.direction) ?? (isObj(e.payload) ? str(e.payload.direction) : undefined),
    dwellMs: num(e.dwellMs) ?? (isObj(e.payload) ? num(e.payload.dwellMs) : undefined),
    durationMs: num(e.durationMs) ?? (isObj(e.payload) ? num(e.payload.durationMs) : undefined),
  };
}

/**
 * One text frame of the feed → zero or more messages the page understands. The hub's shapes are in
 * hub/src/live/messages.ts (`live`, `events`, `status`, `job`, `dropped`, `error`); the reader also
 * accepts the body inside `data` and a few older names, and ignores anything it does not know.
 */
export function parseLiveMessage(text: string): LiveMessage[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return [];
  }
  if (!isObj(raw)) return [];
  const type = str(raw.type) ?? '';
  const body: Obj = isObj(raw.data) ? { ...raw, ...raw.data } : raw;
  switch (type) {
    case 'tracks':
    case 'live':
    case 'live_tracks': {
      // `live`: { cameraId, tracks: LiveTracks { at, width, height, tracks: [...] } }
      const inner: Obj = isObj(body.tracks) ? { ...body, ...body.tracks } : body;
      const cameraId = str(inner.cameraId) ?? str(body.cameraId);
      if (!cameraId) return [];
      return [
        {
          type: 'tracks',
          cameraId,
          at: time(inner.at) ?? Date.now(),
          width: num(inner.width) ?? 0,
          height: num(inner.height) ?? 0,
          tracks: tracksOf(inner.tracks),
        },
      ];
    }
    case 'event':
    case 'events': {
      // `events`: { storeId, deviceId, events: [{ seq, event: TrackingEvent }] }
      const list = Array.isArray(body.events) ? body.events : [isObj(body.event) ? body.event : body];
      return list.flatMap((item) => {
        if (!isObj(item)) return [];
        const e = isObj(item.event) ? item.event : item;
        const ev = eventOf(e, body);
        return ev ? [{ type: 'event' as const, event: ev }] : [];
      });
    }
    case 'device':
    case 'device_status':
    case 'status': {
      // `status`: { deviceId, status: DeviceStatus { state, configRevision, outbox: { depth } } }
      const st: Obj = isObj(body.status) ? { ...body, ...body.status } : body;
      const deviceId = str(st.deviceId) ?? str(body.deviceId);
      if (!deviceId) return [];
      const state = str(st.state);
      const online = typeof st.online === 'boolean' ? st.online : state ? state === 'online' : null;
      const outbox = isObj(st.outbox) ? num(st.outbox.depth) : num(st.outboxDepth);
      return [
        {
          type: 'device',
          deviceId,
          online,
          outboxDepth: outbox,
          configRevision: num(st.configRevision),
          cameras: camerasOf(st.cameras),
        },
      ];
    }
    case 'job':
    case 'job_progress':
    case 'upload': {
      const j: Obj = isObj(body.job) ? body.job : body;
      const jobId = str(j.jobId) ?? str(j.id) ?? str(j.uploadId);
      if (!jobId) return [];
      return [{ type: 'job', job: jobOf(j, jobId) }];
    }
    case 'dropped': {
      const n = num(body.events) ?? 0;
      return n > 0
        ? [
            {
              type: 'notice',
              text: `${n} event${n === 1 ? '' : 's'} were skipped because the connection was slow.`,
            },
          ]
        : [];
    }
    case 'notice':
    case 'error': {
      const text = str(body.message) ?? str(body.text) ?? type;
      return [{ type: 'notice', text }];
    }
    default:
      return [];
  }
}

/** Upload progress from the feed or from GET /api/uploads/:id (progress as 0..1 or a percentage). */
export function jobOf(body: Obj, jobId: string): JobProgress {
  let progress = num(body.progress) ?? num(body.fraction) ?? 0;
  const percent = num(body.percent);
  if (percent !== undefined) progress = percent / 100;
  else if (progress > 1) progress = progress / 100;
  const frames = num(body.framesDone) ?? num(body.processedFrames);
  const total = num(body.framesTotal) ?? num(body.totalFrames);
  if (num(body.progress) === undefined && frames !== undefined && total) progress = frames / total;
  const state = str(body.state) ?? str(body.status) ?? 'running';
  if (['done', 'finished', 'completed', 'succeeded'].includes(state)) progress = 1;
  return {
    jobId,
    state,
    progress: Math.min(1, Math.max(0, progress)),
    message: str(body.message) ?? str(body.error),
    cameraId: str(body.cameraId),
    fileName: str(body.fileName),
    summary: isObj(body.summary) ? (body.summary as unknown as UploadSummary) : undefined,
  };
}

export const jobFinished = (j: JobProgress) =>
  ['done', 'finished', 'completed', 'succeeded'].includes(j.state);
export const jobFailed = (j: JobProgress) => ['failed', 'error', 'cancelled'].includes(j.state);

export interface LiveConnection {
  subscribe(cameraId: string): void;
  /** Hands a refreshed access token to the open socket, so it outlives the old one. */
  reauth(token: string): void;
  close(): void;
}

export interface LiveOptions {
  token: () => Promise<string | null>;
  onMessage: (m: LiveMessage) => void;
  onState?: (state: 'connecting' | 'open' | 'closed') => void;
  url?: string;
  WebSocketImpl?: typeof WebSocket;
}

/** Wait before reconnect attempt `n` (1, 2, 4 … 30 s). */
export const backoff = (n: number) => Math.min(30_000, 1000 * 2 ** Math.max(0, n - 1));

export function connectLive(opts: LiveOptions): LiveConnection {
  const WS = opts.WebSocketImpl ?? WebSocket;
  const subscriptions = new Set<string>();
  let socket: WebSocket | null = null;
  let closed = false;
  let attempts = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const sendSubscribe = (cameraId: string) => {
    if (socket?.readyState === WS.OPEN) socket.send(JSON.stringify({ type: 'subscribe', cameraId }));
  };

  const open = async () => {
    if (closed) return;
    opts.onState?.('connecting');
    const token = await opts.token().catch(() => null);
    if (closed) return;
    if (!token) {
      opts.onState?.('closed');
      return;
    }
    const base = opts.url ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    const ws = new WS(`${base}?token=${encodeURIComponent(token)}`);
    socket = ws;
    ws.onopen = () => {
      attempts = 0;
      opts.onState?.('open');
      for (const id of subscriptions) sendSubscribe(id);
    };
    ws.onmessage = (e: MessageEvent) => {
      if (typeof e.data !== 'string') return;
      for (const m of parseLiveMessage(e.data)) opts.onMessage(m);
    };
    ws.onclose = () => {
      if (socket === ws) socket = null;
      opts.onState?.('closed');
      if (closed) return;
      attempts++;
      timer = setTimeout(() => void open(), backoff(attempts));
    };
  };
  void open();

  return {
    subscribe(cameraId) {
      subscriptions.add(cameraId);
      sendSubscribe(cameraId);
    },
    reauth(token) {
      if (socket?.readyState === WS.OPEN) socket.send(JSON.stringify({ type: 'auth', token }));
    },
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close();
      socket = null;
    },
  };
}
