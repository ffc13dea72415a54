// Probes of one address, step by step, so the failing step is named: DNS, TCP connect, TLS handshake
// (against the pinned certificate authority when the box has one).
import { lookup } from 'node:dns/promises';
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { diagnose, hostPort } from '../link/diagnose.ts';
import { asError, type Check, fail, pass, withTimeout } from './check.ts';

export interface ProbeOptions {
  timeoutMs: number;
  /** The hub's certificate authority, pinned at enrollment. */
  caPem?: string;
}

export interface ProbeResult {
  checks: Check[];
  /** The address the name resolved to, when every step passed. */
  address?: string;
  ok: boolean;
}

const isTls = (url: string) => /^(mqtts|https|wss):/i.test(url);

function failed(what: string, url: string, err: unknown, pinnedCa: boolean): Check {
  const e = asError(err);
  const problem = diagnose({ message: e.message, ...(e.code ? { code: e.code } : {}) }, { url, pinnedCa });
  return fail(`${what}: ${problem.message}`, problem.advice);
}

export async function resolve(host: string, timeoutMs: number): Promise<string> {
  if (isIP(host)) return host;
  const r = await withTimeout(lookup(host), timeoutMs, `looking up ${host}`);
  return r.address;
}

function settle<T extends Socket>(socket: T, event: string, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    socket.setTimeout(timeoutMs, () => {
      const error: NodeJS.ErrnoException = new Error(`${what} timed out after ${timeoutMs / 1000} s`);
      error.code = 'ETIMEDOUT';
      socket.destroy();
      reject(error);
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
    socket.once(event, () => {
      socket.setTimeout(0);
      resolve(socket);
    });
  });
}

export function tcpProbe(address: string, port: number, timeoutMs: number): Promise<Socket> {
  return settle(
    tcpConnect({ host: address, port }),
    'connect',
    timeoutMs,
    `connecting to ${address}:${port}`,
  );
}

export function tlsProbe(
  address: string,
  host: string,
  port: number,
  opts: ProbeOptions,
): Promise<TLSSocket> {
  const socket = tlsConnect({
    host: address,
    port,
    ...(isIP(host) ? {} : { servername: host }),
    ...(opts.caPem ? { ca: opts.caPem } : {}),
    rejectUnauthorized: true,
  });
  return settle(socket, 'secureConnect', opts.timeoutMs, `TLS handshake with ${host}:${port}`);
}

/** DNS, TCP, then TLS when the scheme says so; stops at the first step that fails. */
export async function probeAddress(what: string, url: string, opts: ProbeOptions): Promise<ProbeResult> {
  const { host, port, label } = hostPort(url);
  const pinnedCa = opts.caPem !== undefined;
  const checks: Check[] = [];
  let address: string;
  try {
    address = await resolve(host, opts.timeoutMs);
    if (!isIP(host)) checks.push(pass(`${what}: ${host} resolves to ${address}`));
  } catch (err) {
    return { checks: [failed(what, url, err, pinnedCa)], ok: false };
  }
  try {
    (await tcpProbe(address, port, opts.timeoutMs)).destroy();
    checks.push(pass(`${what}: ${label} accepts connections`));
  } catch (err) {
    return { checks: [...checks, failed(what, url, err, pinnedCa)], ok: false };
  }
  if (isTls(url)) {
    try {
      (await tlsProbe(address, host, port, opts)).destroy();
      const whose = pinnedCa
        ? 'the certificate authority pinned at enrollment'
        : 'a certificate authority this box trusts';
      checks.push(pass(`${what}: TLS certificate of ${label} signed by ${whose}`));
    } catch (err) {
      return { checks: [...checks, failed(`${what} TLS`, url, err, pinnedCa)], ok: false };
    }
  }
  return { checks, address, ok: true };
}
