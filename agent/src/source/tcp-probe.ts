// Whether anything answers at a network camera's host and port, in milliseconds for a refused
// connection and within a short time-out for a host that does not answer at all. OpenCV's open and the
// live source's reconnections would keep trying for a minute and more before saying only "no picture".
import { connect } from 'node:net';

/** Where a stream address points: host (no IPv6 brackets) and port, with the scheme's default port. */
export interface Endpoint {
  host: string;
  port: number;
}

const DEFAULT_PORTS: Record<string, number> = { 'rtsp:': 554, 'rtsps:': 322, 'http:': 80, 'https:': 443 };

/** The host and port of an rtsp(s):// or http(s):// address; undefined for anything else. */
export function endpointOf(url: string): Endpoint | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const fallback = DEFAULT_PORTS[u.protocol];
  if (fallback === undefined || !u.hostname) return undefined;
  return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: u.port ? Number(u.port) : fallback };
}

function where(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/** The failure of a TCP connection in plain words, with what to check next. */
export function unreachableWords(e: Endpoint, code: string | undefined, timeoutMs: number): string {
  const at = where(e);
  switch (code) {
    case 'ECONNREFUSED':
      return `Nothing answers at ${at} (connection refused): check the camera's address and port, and that the camera is on`;
    case 'ETIMEDOUT':
      return `Nothing answers at ${at} (no answer within ${Math.round(timeoutMs / 100) / 10} s): check the camera's address, that the camera is on, and that this box can reach its network`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `The camera's name ${e.host} cannot be looked up (${code}): check the camera's address, and this box's DNS`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `No route to ${at} (${code}): check the camera's address, the cable and the network`;
    default:
      return `Cannot connect to ${at} (${code ?? 'unknown error'}): check the camera's address and port, and that the camera is on`;
  }
}

/**
 * Opens a TCP connection to `e` and closes it again. Undefined when something accepted it, else the
 * failure in plain words (unreachableWords).
 */
export function probeTcp(e: Endpoint, timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: e.host, port: e.port });
    const finish = (why: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(why);
    };
    const timer = setTimeout(() => finish(unreachableWords(e, 'ETIMEDOUT', timeoutMs)), timeoutMs);
    socket.once('connect', () => finish(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => finish(unreachableWords(e, err.code, timeoutMs)));
  });
}
