// Asks a network camera whether it would serve its stream, without OpenCV: an RTSP DESCRIBE (or an
// HTTP GET) with the address's credentials. OpenCV's open blocks the event loop and only says
// "failed", and FFmpeg's "401 Unauthorized" goes to stderr; this probe is asynchronous and tells
// "unreachable" from "wrong password" from "no such stream", so nothing is opened in vain.
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { CameraProblem } from '@oskartrack/protocol';
import { errorMessage } from './source.ts';

export interface ProbeResult {
  /** Undefined: the camera answered that it has the stream (or the scheme cannot be probed). */
  problem?: CameraProblem;
  /** Plain words for the installer; never holds the password. */
  detail: string;
}

interface Reply {
  status: number;
  headers: Map<string, string>;
}

const OK: ProbeResult = { detail: 'the camera answered' };

/** Probes `url` (rtsp:// or http(s)://); other schemes are reported as answering. */
export async function probeStream(url: string, timeoutMs = 5000): Promise<ProbeResult> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { problem: 'unreachable', detail: 'the camera address is not a valid URL: correct it on the hub' };
  }
  if (u.protocol === 'rtsp:') return probeRtsp(u, timeoutMs);
  if (u.protocol === 'http:' || u.protocol === 'https:') return probeHttp(u, timeoutMs);
  return OK;
}

function fromStatus(status: number, hasCredentials: boolean): ProbeResult {
  if (status >= 200 && status < 300) return OK;
  if (status === 401 || status === 403) {
    return {
      problem: 'credentials',
      detail: hasCredentials
        ? 'the camera refused the user name or password: correct them on the hub'
        : 'the camera asks for a user name and password: add them to the camera address on the hub',
    };
  }
  if (status === 404) {
    return {
      problem: 'not-found',
      detail: 'the camera has no stream at this path: check the path in the camera address on the hub',
    };
  }
  return { problem: 'no-picture', detail: `the camera answered with status ${status} instead of the stream` };
}

function fromSocketError(err: unknown, host: string): ProbeResult {
  const code = (err as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ECONNREFUSED: `nothing listens at ${host}: check the camera is on and the port is right`,
    ENOTFOUND: `the name ${host} is not known: check the camera address`,
    EAI_AGAIN: `the name ${host} could not be looked up: check the box's DNS`,
    EHOSTUNREACH: `no route to ${host}: check the cable and the network`,
    ENETUNREACH: `no route to ${host}: check the cable and the network`,
    ECONNRESET: `${host} closed the connection`,
    ETIMEDOUT: `${host} did not answer: check the camera is on and reachable from the box`,
  };
  const detail = (code && words[code]) ?? `cannot reach ${host}: ${errorMessage(err)}`;
  return { problem: 'unreachable', detail };
}

function hostOf(u: URL, defaultPort: number): string {
  return `${u.hostname}:${u.port || defaultPort}`;
}

async function probeRtsp(u: URL, timeoutMs: number): Promise<ProbeResult> {
  const host = hostOf(u, 554);
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  const bare = new URL(u.toString());
  bare.username = '';
  bare.password = '';
  const target = bare.toString();
  // One connection for both requests: a digest nonce may be bound to the connection it was given on.
  const conversation = new RtspConversation(u.hostname, Number(u.port || 554), timeoutMs);
  try {
    let reply = await conversation.ask(describe(target, 1));
    const challenge = reply.headers.get('www-authenticate');
    if (reply.status === 401 && user && challenge) {
      const authorization = answerChallenge(challenge, user, password, 'DESCRIBE', target);
      reply = await conversation.ask(describe(target, 2, authorization));
    }
    return fromStatus(reply.status, user !== '');
  } catch (err) {
    if (err instanceof NoAnswer) {
      return {
        problem: 'not-answering',
        detail: `${host} accepted the connection but did not answer within ${Math.round(timeoutMs / 1000)} s`,
      };
    }
    return fromSocketError(err, host);
  } finally {
    conversation.close();
  }
}

function describe(target: string, cseq: number, authorization?: string): string {
  const lines = [`DESCRIBE ${target} RTSP/1.0`, `CSeq: ${cseq}`, 'Accept: application/sdp'];
  lines.push('User-Agent: OskarTrack');
  if (authorization) lines.push(`Authorization: ${authorization}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

class NoAnswer extends Error {}

/** Requests and replies on one RTSP connection; each `ask` has `timeoutMs` for its reply. */
class RtspConversation {
  private readonly socket: Socket;
  private connected = false;
  private failure: Error | undefined;
  private buffered = Buffer.alloc(0);
  private waiting: (() => void) | undefined;

  constructor(
    host: string,
    port: number,
    private readonly timeoutMs: number,
  ) {
    this.socket = connect({ host, port });
    this.socket.on('connect', () => {
      this.connected = true;
      this.waiting?.();
    });
    this.socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.waiting?.();
    });
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () =>
      this.fail(this.connected ? new NoAnswer() : new Error('connection closed')),
    );
  }

  async ask(request: string): Promise<Reply> {
    const until = Date.now() + this.timeoutMs;
    await this.until(() => this.connected, until);
    this.socket.write(request);
    let end = -1;
    await this.until(() => {
      end = this.buffered.indexOf('\r\n\r\n');
      if (end < 0 && this.buffered.length > 65_536) throw new Error('the reply headers are too long');
      return end >= 0;
    }, until);
    const reply = parseReply(this.buffered.subarray(0, end).toString('latin1'));
    // The body (an SDP, an error page) is skipped so the next reply starts clean.
    const length = Number(reply.headers.get('content-length') ?? 0);
    await this.until(() => this.buffered.length >= end + 4 + length, until);
    this.buffered = this.buffered.subarray(end + 4 + length);
    return reply;
  }

  close(): void {
    this.socket.destroy();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.waiting?.();
  }

  private async until(ready: () => boolean, until: number): Promise<void> {
    for (;;) {
      if (ready()) return;
      if (this.failure) throw this.failure;
      const left = until - Date.now();
      if (left <= 0) {
        throw this.connected ? new NoAnswer() : Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiting = done;
      });
      this.waiting = undefined;
    }
  }
}

function parseReply(head: string): Reply {
  const [statusLine = '', ...lines] = head.split('\r\n');
  const match = /^RTSP\/\d\.\d (\d{3})/.exec(statusLine);
  if (!match) throw new Error('the answer is not RTSP');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    // The first challenge is kept: cameras list the one they prefer first.
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { status: Number(match[1]), headers };
}

/** `Authorization` for a Basic or Digest (MD5, RFC 2617) challenge. */
export function answerChallenge(
  challenge: string,
  user: string,
  password: string,
  method: string,
  uri: string,
): string {
  if (/^basic/i.test(challenge)) return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const params = new Map<string, string>();
  for (const m of challenge.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)) {
    params.set(m[1]!.toLowerCase(), m[2] ?? m[3] ?? '');
  }
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  const realm = params.get('realm') ?? '';
  const nonce = params.get('nonce') ?? '';
  const ha1 = md5(`${user}:${realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const fields = [`username="${user}"`, `realm="${realm}"`, `nonce="${nonce}"`, `uri="${uri}"`];
  if (/\bauth\b/.test(params.get('qop') ?? '')) {
    const cnonce = randomBytes(8).toString('hex');
    const response = md5(`${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`);
    fields.push(`qop=auth`, `nc=00000001`, `cnonce="${cnonce}"`, `response="${response}"`);
  } else {
    fields.push(`response="${md5(`${ha1}:${nonce}:${ha2}`)}"`);
  }
  const opaque = params.get('opaque');
  if (opaque !== undefined) fields.push(`opaque="${opaque}"`);
  return `Digest ${fields.join(', ')}`;
}

async function probeHttp(u: URL, timeoutMs: number): Promise<ProbeResult> {
  const host = hostOf(u, u.protocol === 'https:' ? 443 : 80);
  const bare = new URL(u.toString());
  bare.username = '';
  bare.password = '';
  const headers: Record<string, string> = {};
  if (u.username) {
    const basic = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const res = await fetch(bare, { headers, signal: abort.signal, redirect: 'follow' });
    // Only the status matters; an MJPEG body never ends.
    await res.body?.cancel();
    return fromStatus(res.status, u.username !== '');
  } catch (err) {
    if (abort.signal.aborted) {
      return {
        problem: 'not-answering',
        detail: `${host} did not answer within ${Math.round(timeoutMs / 1000)} s`,
      };
    }
    return fromSocketError((err as { cause?: unknown }).cause ?? err, host);
  } finally {
    clearTimeout(timer);
  }
}
