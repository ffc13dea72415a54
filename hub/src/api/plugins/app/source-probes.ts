/**
 * Asks a box whether it can read a video file of its own (`request/source-probe`, answered on
 * `response/source-probe` with the same transaction id): the camera routes refuse a file the box
 * cannot open or decode, with the box's reason. Its own subscription names the response topic fully.
 */
import { PROTOCOL_VERSION, SOURCE_PROBE_ANSWER_MS, SourceProbeResponse } from '@oskartrack/protocol';
import type { MessageBus } from '../../../broker/bus.ts';
import { send } from '../../../broker/channel-bus.ts';
import { definePlugin } from '../../plugin.ts';
import { listenForAnswers, PendingAnswers } from './pending-answers.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Asks boxes about their video files; null when the app runs without a message bus. */
    sourceProbes: SourceProbeRequester | null;
  }
}

const NAME = 'source-probe';

/** What the box said: undefined when it can read the file, else why not. */
export type ProbeVerdict = string | undefined;

export class SourceProbeRequester {
  private readonly answers = new PendingAnswers<ProbeVerdict>();

  constructor(
    private readonly bus: MessageBus,
    private readonly timeoutMs = SOURCE_PROBE_ANSWER_MS,
  ) {}

  start(): Promise<void> {
    return listenForAnswers(this.bus, NAME, SourceProbeResponse, this.answers, (a) => ({
      ok: true,
      value: a.status === 'ok' ? undefined : a.error,
    }));
  }

  /** The box's verdict on `source`; rejects (504, 503) when the box does not answer. */
  request(deviceId: string, source: string): Promise<ProbeVerdict> {
    const late = `the box did not answer within ${Math.round(this.timeoutMs / 1000)} s`;
    return this.answers.ask(deviceId, this.timeoutMs, late, (id) =>
      send(this.bus, 'request', deviceId, { v: PROTOCOL_VERSION, id, source }, NAME),
    );
  }

  close(): void {
    this.answers.close();
  }
}

export default definePlugin<{ bus?: MessageBus | undefined }>('source-probes', async (app, opts) => {
  if (!opts.bus) {
    app.decorate('sourceProbes', null);
    return;
  }
  const requester = new SourceProbeRequester(opts.bus);
  await requester.start();
  app.decorate('sourceProbes', requester);
  app.addHook('onClose', async () => requester.close());
});
