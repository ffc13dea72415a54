/**
 * Camera checks asked from the boxes: the hub publishes a signed `request/camera-check` to the camera's
 * box and waits for `response/camera-check` carrying the same transaction id (the check runs about a
 * minute of video on the box). Its own subscription names the response topic fully, so it never
 * replaces the snapshot requester's `response/+` subscription on an external broker.
 */
import { type CameraCheck, CameraCheckResponse, checkAnswerMs, PROTOCOL_VERSION } from '@oskartrack/protocol';
import type { MessageBus } from '../../../broker/bus.ts';
import { send } from '../../../broker/channel-bus.ts';
import { HttpError } from '../../errors.ts';
import { definePlugin } from '../../plugin.ts';
import { listenForAnswers, PendingAnswers } from './pending-answers.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Asks boxes to check a camera's view; null when the app runs without a message bus. */
    cameraChecks: CameraCheckRequester | null;
  }
}

const NAME = 'camera-check';

export class CameraCheckRequester {
  private readonly answers = new PendingAnswers<CameraCheck>();

  /** `timeoutMs`: how long to wait for a check of some seconds (default: checkAnswerMs). */
  constructor(
    private readonly bus: MessageBus,
    private readonly timeoutMs: (seconds: number) => number = checkAnswerMs,
  ) {}

  start(): Promise<void> {
    return listenForAnswers(this.bus, NAME, CameraCheckResponse, this.answers, (a) =>
      a.status === 'ok'
        ? { ok: true, value: a.data }
        : { ok: false, error: new HttpError(502, `the box could not check the camera: ${a.error}`) },
    );
  }

  /** Resolves with the check; rejects with 504 after the timeout, 502 when the box reports an error. */
  request(deviceId: string, cameraId: string, seconds: number): Promise<CameraCheck> {
    const waitMs = this.timeoutMs(seconds);
    const late = `the camera's box did not answer within ${Math.round(waitMs / 1000)} s: check that it is online and not busy, then try again`;
    return this.answers.ask(deviceId, waitMs, late, (id) =>
      send(this.bus, 'request', deviceId, { v: PROTOCOL_VERSION, id, cameraId, seconds }, NAME),
    );
  }

  /** Rejects everything still waiting (the app is closing). */
  close(): void {
    this.answers.close();
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
