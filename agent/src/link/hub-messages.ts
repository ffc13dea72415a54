/**
 * The box acts on nothing the hub did not sign: every ack, config, request and hub status is opened
 * with the hub's public key pinned at enrollment (the signature covers the topic, so a message for
 * another box or channel fails too) and checked against its schema. Refusals are logged at most once
 * a minute per topic, so a flood of forgeries can not fill the log, and the last one is kept for the
 * box's status.
 */
import type { KeyObject } from 'node:crypto';
import { openSignedAs } from '@oskartrack/protocol/signing';
import type { Static, TSchema } from '@sinclair/typebox';
import type { Logger } from 'pino';

const MAX_KEYS = 1000;

export class HubMessages {
  /** Messages refused since start. */
  refused = 0;
  /** The last refusal, in words: "ignored a message on <topic>: <why>". */
  lastRefusal: string | null = null;
  private readonly windows = new Map<string, { start: number; suppressed: number }>();

  constructor(
    private readonly hubKey: KeyObject,
    private readonly log: Logger,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The checked message, or `undefined` when it was refused (and logged). */
  open<S extends TSchema>(schema: S, topic: string, payload: Buffer, what: string): Static<S> | undefined {
    const opened = openSignedAs(schema, this.hubKey, topic, payload);
    if (opened.ok) return opened.value;
    const why =
      opened.reason === 'forged'
        ? `${what} not signed by the hub: ${opened.error}`
        : `${what} signed by the hub but invalid (is the box older than the hub?): ${opened.error}`;
    this.refuse(topic, why);
    return undefined;
  }

  /** Records a refused message; warns (or errors) at most once per window and topic. */
  refuse(topic: string, why: string, level: 'warn' | 'error' = 'warn'): void {
    this.refused++;
    this.lastRefusal = `ignored a message on ${topic}: ${why}`;
    const t = this.now();
    const key = `${level} ${topic}`;
    const window = this.windows.get(key);
    if (window && t - window.start < this.windowMs) {
      window.suppressed++;
      return;
    }
    if (this.windows.size >= MAX_KEYS) this.windows.clear();
    this.windows.set(key, { start: t, suppressed: 0 });
    const suppressed = window?.suppressed ?? 0;
    this.log[level](
      { topic, why, ...(suppressed > 0 ? { suppressed } : {}) },
      suppressed > 0
        ? `message from the hub ignored (and ${suppressed} more on this topic not logged)`
        : 'message from the hub ignored',
    );
  }
}
