/**
 * Camera pictures for drawing areas: the hub publishes `request/snapshot` to the camera's box and
 * waits for `response/snapshot` carrying the same transaction id. One subscription serves every
 * request; answers for unknown ids (late, or for another hub) are ignored.
 */
import { randomBytes } from 'node:crypto';
import {
  check,
  type Parsed,
  PROTOCOL_VERSION,
  type SnapshotRequest,
  SnapshotResponse,
} from '@oskartrack/protocol';
import type { MessageBus } from '../../../broker/bus.ts';
import { on, send } from '../../../broker/channel-bus.ts';
import { HttpError } from '../../errors.ts';
import { definePlugin } from '../../plugin.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Asks boxes for camera pictures; null when the app runs without a message bus. */
    snapshots: SnapshotRequester | null;
  }
}

export interface Snapshot {
  contentType: 'image/jpeg';
  width: number;
  height: number;
  data: Buffer;
}

interface Pending {
  deviceId: string;
  resolve: (s: Snapshot) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class SnapshotRequester {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly bus: MessageBus,
    readonly timeoutMs: number,
  ) {}

  async start(): Promise<void> {
    await on(this.bus, 'response', (deviceId, r, name) => this.onResponse(deviceId, r, name));
  }

  /** The response channel carries every request's answers: only a valid snapshot answer is taken. */
  private onResponse(deviceId: string, answer: Parsed<unknown>, name: string | undefined): void {
    if (name !== 'snapshot' || !answer.ok) return;
    const r = check(SnapshotResponse, answer.value);
    if (!r.ok) return;
    const waiting = this.pending.get(r.value.id);
    if (!waiting || waiting.deviceId !== deviceId) return;
    this.pending.delete(r.value.id);
    clearTimeout(waiting.timer);
    if (r.value.status === 'ok') {
      const d = r.value.data;
      waiting.resolve({
        contentType: d.contentType,
        width: d.width,
        height: d.height,
        data: Buffer.from(d.base64, 'base64'),
      });
    } else {
      waiting.reject(new HttpError(502, `the box could not take a picture: ${r.value.error}`));
    }
  }

  /** Resolves with the picture, or rejects with 504 after the timeout / 502 when the box reports an error. */
  async request(deviceId: string, cameraId: string, maxWidth?: number): Promise<Snapshot> {
    const id = randomBytes(12).toString('base64url');
    const result = new Promise<Snapshot>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new HttpError(
            504,
            `the camera's box did not answer within ${Math.round(this.timeoutMs / 100) / 10} s; check that it is online and try again`,
          ),
        );
      }, this.timeoutMs);
      this.pending.set(id, { deviceId, resolve, reject, timer });
    });
    const request: SnapshotRequest = { v: PROTOCOL_VERSION, id, cameraId, ...(maxWidth ? { maxWidth } : {}) };
    try {
      await send(this.bus, 'request', deviceId, request, 'snapshot');
    } catch (err) {
      const p = this.pending.get(id);
      if (p) clearTimeout(p.timer);
      this.pending.delete(id);
      result.catch(() => {});
      throw new HttpError(503, `could not reach the message broker: ${(err as Error).message}`);
    }
    return result;
  }

  /** Rejects everything still waiting (the app is closing). */
  close(): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new HttpError(503, 'the hub is shutting down'));
      this.pending.delete(id);
    }
  }
}

export default definePlugin<{ bus?: MessageBus | undefined; timeoutMs?: number }>(
  'snapshots',
  async (app, opts) => {
    if (!opts.bus) {
      app.decorate('snapshots', null);
      return;
    }
    const requester = new SnapshotRequester(opts.bus, opts.timeoutMs ?? 10_000);
    await requester.start();
    app.decorate('snapshots', requester);
    app.addHook('onClose', async () => requester.close());
  },
);
