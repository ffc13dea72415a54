/**
 * JSON over plain HTTP to a hub, optionally from a chosen loopback source address: every simulated box
 * enrolls from an address of its own (127.1.x.y), as boxes in different shops would, so the hub's
 * per-address enrollment limit (10 a minute) applies to each box and not to the whole fleet.
 */
import { Agent, request } from 'node:http';

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface CallOptions {
  token?: string | undefined;
  /** Source address of the connection (a 127.x.y.z address on this machine). */
  from?: string | undefined;
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 32 });

export function callJson<T>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  options: CallOptions = {},
): Promise<T> {
  const url = new URL(path, base);
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = {};
  if (data) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return new Promise<T>((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        headers,
        timeout: 60_000,
        ...(options.from ? { localAddress: options.from } : { agent: keepAlive }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const status = res.statusCode ?? 0;
          if (status >= 300) reject(new HttpError(`${method} ${path} failed (${status}): ${text}`, status));
          else resolve((text ? JSON.parse(text) : undefined) as T);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 60 s`)));
    req.on('error', reject);
    req.end(data);
  });
}

/** An access token for `name` on the hub at `base`. */
export async function login(base: string, name: string, password: string): Promise<string> {
  const r = await callJson<{ accessToken: string }>(base, 'POST', '/api/auth/login', { name, password });
  return r.accessToken;
}
