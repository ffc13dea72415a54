/**
 * The hub's live feed (`/ws?token=...`): device status, tracked boxes per camera, pictures of the
 * watched camera (live video), stored events and upload job progress. Each frame is checked against
 * the hub's own message schemas (protocol/src/live.ts) and turned into what the pages show; a frame
 * of any other shape is ignored.
 * The socket reconnects with a growing pause and a fresh token.
 */
import {
  type Alert,
  type ClientMessage,
  check,
  ServerMessage,
  type ServerMessageOf,
  type TrackingEvent,
  type UploadJob,
  type UploadSummary,
  WS_PATH,
} from '@oskartrack/protocol';
import type { CameraHealth } from './camera-health.ts';

export type { UploadSummary };

export interface LiveTrack {
  id: number;
  /** left, top, width, height in picture pixels. */
  box: [number, number, number, number];
  score: number;
}

/** One stored event as the feed shows it. */
export interface LiveEvent {
  kind: TrackingEvent['kind'];
  at: number;
  cameraId: string;
  storeId: string;
  trackId: number;
  zoneId: string | null;
  lineId: string | null;
  direction?: 'in' | 'out' | undefined;
  dwellMs?: number | undefined;
  durationMs?: number | undefined;
}

/** An upload's progress as the Live page shows it. */
export interface JobProgress {
  jobId: string;
  state: UploadJob['state'];
  /** 0..1 */
  progress: number;
  message?: string | undefined;
  cameraId: string;
  fileName: string;
  /** What a finished upload found. */
  summary?: UploadSummary | undefined;
}

/** One picture of a watched camera, ready for an `<img>`. */
export interface VideoPicture {
  cameraId: string;
  /** Capture time of the frame: the boxes with the same `at` were seen in it. */
  at: number;
  /** A `data:image/jpeg;base64,...` URL. */
  src: string;
  /** The size the boxes are measured in (the camera's frame before scaling down). */
  width: number;
  height: number;
}

/** What the pages get from the feed. */
export type LiveMessage =
  | { type: 'tracks'; cameraId: string; at: number; width: number; height: number; tracks: LiveTrack[] }
  | { type: 'video'; picture: VideoPicture }
  | { type: 'event'; event: LiveEvent }
  | {
      type: 'device';
      deviceId: string;
      online: boolean;
      outboxDepth: number;
      configRevision: number;
      /** Each camera's picture: state, since when, gaps. */
      cameras: CameraHealth[];
    }
  | { type: 'job'; job: JobProgress }
  | { type: 'alert'; alert: Alert }
  | { type: 'notice'; text: string };

function eventOf(storeId: string, e: TrackingEvent): LiveEvent {
  return {
    kind: e.kind,
    at: e.at,
    cameraId: e.cameraId,
    storeId,
    trackId: e.trackId,
    zoneId: 'zoneId' in e ? e.zoneId : null,
    lineId: 'lineId' in e ? e.lineId : null,
    direction: 'direction' in e ? e.direction : undefined,
    dwellMs: 'dwellMs' in e ? e.dwellMs : undefined,
    durationMs: 'durationMs' in e ? e.durationMs : undefined,
  };
}

function deviceOf(m: ServerMessageOf<'status'>): LiveMessage {
  return {
    type: 'device',
    deviceId: m.deviceId,
    online: m.status.state === 'online',
    outboxDepth: m.status.outbox.depth,
    configRevision: m.status.configRevision,
    cameras: m.status.cameras.map((c) => ({ ...c })),
  };
}

function droppedNotice(n: number): LiveMessage[] {
  if (n <= 0) return [];
  return [
    { type: 'notice', text: `${n} event${n === 1 ? '' : 's'} were skipped because the connection was slow.` },
  ];
}

/** A checked hub message as what the pages show (nothing for `hello`, `subscribed`, `pong`). */
export function toPageMessages(m: ServerMessage): LiveMessage[] {
  switch (m.type) {
    case 'live': {
      const { at, width, height, tracks } = m.tracks;
      return [
        { type: 'tracks', cameraId: m.cameraId, at, width, height, tracks: tracks.map((t) => ({ ...t })) },
      ];
    }
    case 'video': {
      const f = m.frame;
      const src = `data:image/jpeg;base64,${f.jpeg}`;
      const picture = { cameraId: m.cameraId, at: f.at, src, width: f.sourceWidth, height: f.sourceHeight };
      return [{ type: 'video', picture }];
    }
    case 'events':
      return m.events.map((s) => ({ type: 'event' as const, event: eventOf(m.storeId, s.event) }));
    case 'status':
      return [deviceOf(m)];
    case 'job':
      return [{ type: 'job', job: jobOf(m.job) }];
    case 'alert': {
      // Checked JSON: the times are ISO text.
      const { firedAt, clearedAt } = m.alert;
      const alert = {
        ...m.alert,
        firedAt: String(firedAt),
        clearedAt: clearedAt === null ? null : String(clearedAt),
      };
      return [{ type: 'alert', alert }];
    }
    case 'dropped':
      return droppedNotice(m.events);
    case 'error':
      return [{ type: 'notice', text: m.message }];
    default:
      return [];
  }
}

/** One text frame of the feed: checked against the hub's message schemas, then turned into page messages. */
export function parseLiveMessage(text: string): LiveMessage[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return [];
  }
  const r = check(ServerMessage, raw);
  return r.ok ? toPageMessages(r.value) : [];
}

/** An upload's job (from the feed or `GET /api/uploads/:id`) as progress for the page. */
export function jobOf(job: UploadJob): JobProgress {
  const done = job.state === 'done';
  const fraction = job.framesTotal ? job.framesDone / job.framesTotal : 0;
  return {
    jobId: job.id,
    state: job.state,
    progress: done ? 1 : Math.min(1, Math.max(0, fraction)),
    message: job.error ?? undefined,
    cameraId: job.cameraId,
    fileName: job.fileName,
    summary: job.summary ?? undefined,
  };
}

export const jobFinished = (j: JobProgress) => j.state === 'done';
export const jobFailed = (j: JobProgress) => j.state === 'failed';

export interface LiveConnection {
  subscribe(cameraId: string): void;
  /** A camera's live video (the hub asks its box for pictures while anyone watches it). */
  watchVideo(cameraId: string): void;
  /** Stops it (leaving the Live page or choosing another camera). */
  unwatchVideo(cameraId: string): void;
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
  const videos = new Set<string>();
  let socket: WebSocket | null = null;
  let closed = false;
  let attempts = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const sendIfOpen = (message: ClientMessage) => {
    if (socket?.readyState === WS.OPEN) socket.send(JSON.stringify(message));
  };
  const sendSubscribe = (cameraId: string) => sendIfOpen({ type: 'subscribe', cameraId });

  const open = async () => {
    if (closed) return;
    opts.onState?.('connecting');
    const token = await opts.token().catch(() => null);
    if (closed) return;
    if (!token) {
      opts.onState?.('closed');
      return;
    }
    const base = opts.url ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}`;
    const ws = new WS(`${base}?token=${encodeURIComponent(token)}`);
    socket = ws;
    ws.onopen = () => {
      attempts = 0;
      opts.onState?.('open');
      for (const id of subscriptions) sendSubscribe(id);
      for (const cameraId of videos) sendIfOpen({ type: 'watch', cameraId });
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
    watchVideo(cameraId) {
      videos.add(cameraId);
      sendIfOpen({ type: 'watch', cameraId });
    },
    unwatchVideo(cameraId) {
      videos.delete(cameraId);
      sendIfOpen({ type: 'unwatch', cameraId });
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
