/**
 * Camera pictures for drawing areas: the hub publishes `request/snapshot` to the camera's box and
 * waits for `response/snapshot` carrying the same transaction id. One subscription serves every
 * request; answers for unknown ids (late, or for another hub) are ignored.
 */
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
import { PendingAnswers } from './pending-answers.ts';

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

export class SnapshotRequester {
  private readonly answers = new PendingAnswers<Snapshot>();

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
    const a = r.value;
    this.answers.settle(
      deviceId,
      a.id,
      a.status === 'ok'
        ? { ok: true, value: snapshotOf(a.data) }
        : { ok: false, error: new HttpError(502, `the box could not take a picture: ${a.error}`) },
    );
  }

  /** Resolves with the picture, or rejects with 504 after the timeout / 502 when the box reports an error. */
  request(deviceId: string, cameraId: string, maxWidth?: number): Promise<Snapshot> {
    const late = `the camera's box did not answer within ${Math.round(this.timeoutMs / 100) / 10} s; check that it is online and try again`;
    return this.answers.ask(deviceId, this.timeoutMs, late, (id) => {
      const request: SnapshotRequest = {
        v: PROTOCOL_VERSION,
        id,
        cameraId,
        ...(maxWidth ? { maxWidth } : {}),
      };
      return send(this.bus, 'request', deviceId, request, 'snapshot');
    });
  }

  /** Rejects everything still waiting (the app is closing). */
  close(): void {
    this.answers.close();
  }
}

function snapshotOf(d: Extract<SnapshotResponse, { status: 'ok' }>['data']): Snapshot {
  return {
    contentType: d.contentType,
    width: d.width,
    height: d.height,
    data: Buffer.from(d.base64, 'base64'),
  };
}

/** A picture of a few hundred kB, base64, crosses a 64 kbit/s shop line in about 20 s. */
export default definePlugin<{ bus?: MessageBus | undefined; timeoutMs?: number }>(
  'snapshots',
  async (app, opts) => {
    if (!opts.bus) {
      app.decorate('snapshots', null);
      return;
    }
    const requester = new SnapshotRequester(opts.bus, opts.timeoutMs ?? 30_000);
    await requester.start();
    app.decorate('snapshots', requester);
    app.addHook('onClose', async () => requester.close());
  },
);
