/**
 * Watches the MQTT fixed headers going through a connection and reports a packet announced bigger than
 * a limit as soon as its header arrives, before the broker's parser buffers it: a device cannot make
 * the hub hold a 256 MiB packet in memory.
 *
 * It only listens (`'data'` is emitted for every chunk the broker reads with `read()`), so it must be
 * attached after the broker's own `'readable'` listener, which keeps control of the flow.
 */
import type { Duplex } from 'node:stream';

export interface FrameGuard {
  /** Feeds one chunk; returns the announced size of the first packet over the limit, if any. */
  push(chunk: Buffer): number | undefined;
}

/** A byte-level reader of MQTT fixed headers (type byte, then a 1-4 byte remaining length). */
export function createFrameGuard(maxRemainingLength: number): FrameGuard {
  let skip = 0; // body bytes of the current packet still to pass
  let inLength = false; // reading the remaining-length bytes
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  return {
    push(chunk) {
      let i = 0;
      while (i < chunk.length) {
        if (skip > 0) {
          const take = Math.min(skip, chunk.length - i);
          skip -= take;
          i += take;
          continue;
        }
        const byte = chunk[i++]!;
        if (!inLength) {
          inLength = true;
          length = 0;
          multiplier = 1;
          lengthBytes = 0;
          continue;
        }
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        lengthBytes++;
        if (byte & 0x80) {
          if (lengthBytes >= 4) return Number.POSITIVE_INFINITY; // malformed: the parser fails too
          continue;
        }
        inLength = false;
        if (length > maxRemainingLength) return length;
        skip = length;
      }
      return undefined;
    },
  };
}

/** Destroys the connection when a packet over the limit is announced; `onOversize` says so first. */
export function guardConnection(
  conn: Duplex,
  maxRemainingLength: number,
  onOversize: (announcedBytes: number) => void,
): void {
  const guard = createFrameGuard(maxRemainingLength);
  const onData = (chunk: Buffer | string) => {
    const over = guard.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (over === undefined) return;
    conn.off('data', onData);
    onOversize(over);
    conn.destroy();
  };
  conn.on('data', onData);
}
