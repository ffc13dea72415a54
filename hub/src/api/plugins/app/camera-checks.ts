/**
 * Camera checks asked from the boxes: the hub publishes a signed `request/camera-check` to the camera's
 * box and waits for `response/camera-check` carrying the same transaction id (the check runs about a
 * minute of video on the box). Its own subscription names the response topic fully, so it never
 * replaces the snapshot requester's `response/+` subscription on an external broker.
 */
import { randomBytes } from 'node:crypto';
import {
  type CameraCheck,
  CameraCheckResponse,
  checkAnswerMs,
  PROTOCOL_VERSION,
  parsePayload,
  parseTopic,
  TOPIC_ROOT,
} from '@oskartrack/protocol';
import type { InboundMessage, MessageBus } from '../../../broker/bus.ts';
import { send } from '../../../broker/channel-bus.ts';
import { HttpError } from '../../errors.ts';
import { definePlugin } from '../../plugin.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Asks boxes to check a camera's view; null when the app runs without a message bus. */
    cameraChecks: CameraCheckRequester | null;
  }
}

const NAME = 'camera-check';

interface Pending {
  deviceId: string;
  resolve: (c: CameraCheck) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class CameraCheckRequester {
  private readonly pending = new Map<string, Pending>();

  /** `timeoutMs`: how long to wait for a check of some seconds (default: checkAnswerMs). */
  constructor(
    private readonly bus: MessageBus,
    private readonly timeoutMs: (seconds: number) => number = checkAnswerMs,
  ) {}

  async start(): Promise<void> {
    await this.bus.subscribe(`${TOPIC_ROOT}/devices/+/response/${NAME}`, (m) => this.onResponse(m));
  }

  private onResponse(message: InboundMessage): void {
    const topic = parseTopic(message.topic);
    if (topic?.channel !== 'response' || topic.sub !== NAME) return;
    const r = parsePayload(CameraCheckResponse, message.payload);
    if (!r.ok) return;
    const waiting = this.pending.get(r.value.id);
    if (!waiting || waiting.deviceId !== topic.deviceId) return;
    this.pending.delete(r.value.id);
    clearTimeout(waiting.timer);
    if (r.value.status === 'ok') waiting.resolve(r.value.data);
    else waiting.reject(new HttpError(502, `the box could not check the camera: ${r.value.error}`));
  }

  /** Resolves with the check; rejects with 504 after the timeout, 502 when the box reports an error. */
  async request(deviceId: string, cameraId: string, seconds: number): Promise<CameraCheck> {
    const id = randomBytes(12).toString('base64url');
    const waitMs = this.timeoutMs(seconds);
    const result = new Promise<CameraCheck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new HttpError(
            504,
            `the camera's box did not answer within ${Math.round(waitMs / 1000)} s: check that it is online and not busy, then try again`,
          ),
        );
      }, waitMs);
      this.pending.set(id, { deviceId, resolve, reject, timer });
    });
    try {
      await send(this.bus, 'request', deviceId, { v: PROTOCOL_VERSION, id, cameraId, seconds }, NAME);
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

export default definePlugin<{ bus?: MessageBus | undefined; timeoutMs?: (seconds: number) => number }>(
  'camera-checks',
  async (app, opts) => {
    if (!opts.bus) {
      app.decorate('cameraChecks', null);
      return;
    }
    const requester = new CameraCheckRequester(opts.bus, opts.timeoutMs);
    await requester.start();
    app.decorate('cameraChecks', requester);
    app.addHook('onClose', async () => requester.close());
  },
);
