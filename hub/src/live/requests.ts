/**
 * What a live-feed client may ask (protocol/src/live.ts `ClientMessage`): `ping`, `subscribe` and
 * `unsubscribe` a camera's live boxes, `watch` and `unwatch` its video (only cameras of its stores;
 * the feed then starts or stops the video, video-watch.ts), and `auth` with a refreshed token (same
 * user only). Answers go through the client's own queue.
 */
import { ClientMessage, type ServerMessage } from '@oskartrack/protocol';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Principal } from '../api/scope.ts';
import type { LiveClient } from './client.ts';

const clientMessage = TypeCompiler.Compile(ClientMessage);

/** What handling a client's message needs of the feed. */
export interface RequestHost {
  /** The store of a camera, or undefined when there is no such camera. */
  cameraStore(cameraId: string): string | undefined | Promise<string | undefined>;
  /** Closes a client for policy reasons (1008). */
  refuse(client: LiveClient, why: string): void;
  /** When the client's token is next checked again after a successful `auth`. */
  nextCheckAt(): number;
}

const UNKNOWN =
  'unknown message: send {"type":"subscribe"|"unsubscribe","cameraId"?}, {"type":"watch"|"unwatch","cameraId"}, {"type":"auth","token"} or {"type":"ping"}';

/** Handles one text message from a client. */
export async function handleClientMessage(host: RequestHost, client: LiveClient, raw: string): Promise<void> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    client.reply({ type: 'error', message: 'messages must be JSON' });
    return;
  }
  if (!clientMessage.Check(value)) {
    client.reply({ type: 'error', message: UNKNOWN });
    return;
  }
  const m = value;
  switch (m.type) {
    case 'ping':
      client.reply({ type: 'pong', ...(m.id !== undefined ? { id: m.id } : {}) });
      return;
    case 'subscribe':
      return subscribe(host, client, m.cameraId);
    case 'unsubscribe':
      if (m.cameraId === undefined || client.live === 'all') client.live = new Set();
      else client.live.delete(m.cameraId);
      client.reply(subscribed(client));
      return;
    case 'auth':
      return reauth(host, client, m.token);
    case 'watch':
      return watch(host, client, m.cameraId);
    case 'unwatch':
      client.video.delete(m.cameraId);
      client.reply(subscribed(client));
      return;
  }
}

/** Only a camera of the client's stores can be watched. */
async function watch(host: RequestHost, client: LiveClient, cameraId: string): Promise<void> {
  const storeId = await host.cameraStore(cameraId);
  if (storeId === undefined || !client.sees(storeId)) {
    client.reply({ type: 'error', message: `there is no camera ${cameraId} in your stores` });
    return;
  }
  client.video.add(cameraId);
  client.reply(subscribed(client));
}

async function subscribe(host: RequestHost, client: LiveClient, cameraId: string | undefined): Promise<void> {
  if (cameraId === undefined) client.live = 'all';
  else {
    const storeId = await host.cameraStore(cameraId);
    if (storeId === undefined || !client.sees(storeId)) {
      client.reply({ type: 'error', message: `there is no camera ${cameraId} in your stores` });
      return;
    }
    if (client.live === 'all') client.live = new Set();
    client.live.add(cameraId);
  }
  client.reply(subscribed(client));
}

async function reauth(host: RequestHost, client: LiveClient, token: string): Promise<void> {
  try {
    const p = await client.verify(token);
    if (p.userId !== client.principal.userId) {
      host.refuse(client, 'the new token belongs to another user; reconnect');
      return;
    }
    client.token = token;
    client.setPrincipal(p);
    client.nextCheckAt = host.nextCheckAt();
    client.reply(hello(p));
  } catch (err) {
    host.refuse(client, reason(err));
  }
}

export function hello(p: Principal): ServerMessage {
  return {
    type: 'hello',
    userId: p.userId,
    role: p.role,
    stores: p.role === 'admin' ? 'all' : [...p.storeIds],
  };
}

function subscribed(c: LiveClient): ServerMessage {
  const live = c.live === 'all' ? 'all' : [...c.live];
  return c.video.size > 0 ? { type: 'subscribed', live, video: [...c.video] } : { type: 'subscribed', live };
}

export function reason(err: unknown): string {
  return err instanceof Error ? err.message : 'the access token is not valid; sign in again';
}
