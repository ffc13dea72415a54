/**
 * Requests the hub sends to a box and whose answer it waits for by transaction id (camera pictures,
 * camera checks, source probes): one place for the waiting, the time-out, the broker refusing, and closing.
 */
import { randomBytes } from 'node:crypto';
import { parsePayload, parseTopic, TOPIC_ROOT } from '@oskartrack/protocol';
import type { Static, TSchema } from '@sinclair/typebox';
import type { MessageBus } from '../../../broker/bus.ts';
import { HttpError } from '../../errors.ts';

interface Pending<T> {
  deviceId: string;
  resolve: (value: T) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error };

export class PendingAnswers<T> {
  private readonly pending = new Map<string, Pending<T>>();

  /**
   * Publishes a request under a new id and waits for its answer: rejects with 504 (`late` says what to
   * do) after `waitMs`, with 503 when the broker does not take the request.
   */
  async ask(
    deviceId: string,
    waitMs: number,
    late: string,
    publish: (id: string) => Promise<void>,
  ): Promise<T> {
    const id = randomBytes(12).toString('base64url');
    const result = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new HttpError(504, late));
      }, waitMs);
      this.pending.set(id, { deviceId, resolve, reject, timer });
    });
    try {
      await publish(id);
    } catch (err) {
      this.take(id, deviceId);
      result.catch(() => {});
      throw new HttpError(503, `could not reach the message broker: ${(err as Error).message}`);
    }
    return result;
  }

  /** An answer from a box: taken only for an id still waiting on that same box (late or forged: ignored). */
  settle(deviceId: string, id: string, outcome: Outcome<T>): void {
    const waiting = this.take(id, deviceId);
    if (!waiting) return;
    if (outcome.ok) waiting.resolve(outcome.value);
    else waiting.reject(outcome.error);
  }

  /** Rejects everything still waiting (the app is closing). */
  close(): void {
    for (const [id, p] of this.pending) {
      this.take(id, p.deviceId)?.reject(new HttpError(503, 'the hub is shutting down'));
    }
  }

  private take(id: string, deviceId: string): Pending<T> | undefined {
    const waiting = this.pending.get(id);
    if (!waiting || waiting.deviceId !== deviceId) return undefined;
    this.pending.delete(id);
    clearTimeout(waiting.timer);
    return waiting;
  }
}

/**
 * Subscribes to the boxes' answers at `response/<name>` (the topic named fully, so it never replaces
 * another requester's subscription on an external broker): each one checked against `schema` and
 * settled by its transaction id as `outcome` says.
 */
export async function listenForAnswers<S extends TSchema, T>(
  bus: MessageBus,
  name: string,
  schema: S,
  answers: PendingAnswers<T>,
  outcome: (answer: Static<S>) => Outcome<T>,
): Promise<void> {
  await bus.subscribe(`${TOPIC_ROOT}/devices/+/response/${name}`, (message) => {
    const topic = parseTopic(message.topic);
    if (topic?.channel !== 'response' || topic.sub !== name) return;
    const r = parsePayload(schema, message.payload);
    if (r.ok) answers.settle(topic.deviceId, (r.value as { id: string }).id, outcome(r.value));
  });
}
