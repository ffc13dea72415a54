/**
 * A mail server that takes connections and never answers, until released: then it drops them and
 * every later one at once. Holds a report's send in progress for as long as a test needs.
 */

import type { AddressInfo } from 'node:net';
import { createServer, type Socket } from 'node:net';

export interface SilentMailServer {
  port: number;
  /** Connections taken so far. */
  connections(): number;
  /** Drops the held connections and refuses to hold new ones. */
  release(): void;
  close(): Promise<void>;
}

export async function startSilentMailServer(): Promise<SilentMailServer> {
  const held: Socket[] = [];
  let taken = 0;
  let released = false;
  const server = createServer((socket) => {
    taken += 1;
    socket.on('error', () => {});
    if (released) socket.destroy();
    else held.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => taken,
    release: () => {
      released = true;
      for (const s of held) s.destroy();
    },
    close: () => {
      released = true;
      for (const s of held) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
