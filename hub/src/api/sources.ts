/**
 * Which camera sources the API accepts.
 *
 * - `rtsp://`, `rtsps://`, `http://`, `https://` URLs. Cameras live on private LANs, so private
 *   addresses (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) are fine. Refused for everyone:
 *   link-local addresses (169.254/16, which holds the cloud metadata service 169.254.169.254, and
 *   fe80::/10), the unspecified address (0.0.0.0, ::), multicast and broadcast, and well-known metadata
 *   host names. Loopback (127/8, ::1) means "the box itself" (a local restreamer): administrators only.
 *   Host names are not resolved: the box resolves them on its own network, where the hub cannot look.
 *   IPv4 literals in any inet_aton form (2852039166, 0xa9.0xfe.0xa9.0xfe, 169.254.43518) and IPv4-mapped
 *   IPv6 are read as the address they mean.
 * - A webcam index (`0` to `99`).
 * - A video file: administrators only. It is a path on the box, not on the hub: the hub checks only its
 *   shape (an absolute path or `file://` URL, no control characters, at most 2000 characters); the box
 *   checks that the file exists and opens as a video, and reports back in its status when it does not.
 *   The stored source is the normalized absolute path.
 */
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../db/errors.ts';
import type { UserRole } from '../db/schema.ts';
import { forbidden } from './errors.ts';

export interface SourcePolicy {
  role: UserRole;
}

const STREAM_SCHEMES = new Set(['rtsp:', 'rtsps:', 'http:', 'https:']);
const METADATA_HOSTS = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.com',
]);
const ALLOWED = 'use an rtsp://, rtsps://, http:// or https:// address, or a webcam number such as 0';

/** Parses an IPv4 literal the way inet_aton does (1 to 4 parts; decimal, 0x hex or 0 octal). */
export function parseIpv4(host: string): number[] | undefined {
  const parts = host.split('.');
  if (parts.length < 1 || parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(p)) n = p.length === 2 ? 0 : Number.parseInt(p.slice(2), 16);
    else if (/^0[0-7]+$/.test(p)) n = Number.parseInt(p, 8);
    else if (/^(0|[1-9][0-9]*)$/.test(p)) n = Number(p);
    else return undefined;
    if (!Number.isSafeInteger(n)) return undefined;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 256 ** (4 - nums.length)) return undefined;
  const out = [...nums];
  for (let i = 3 - nums.length; i >= 0; i--) out.push(Math.floor(last / 256 ** i) % 256);
  return out;
}

/** Parses an IPv6 literal (no brackets) to 8 groups; undefined when it is not one. */
export function parseIpv6(host: string): number[] | undefined {
  let h = host.toLowerCase();
  const zone = h.indexOf('%');
  if (zone >= 0) h = h.slice(0, zone);
  if (!h.includes(':')) return undefined;
  const v4 = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(h);
  if (v4) {
    const a = v4[2]!.split('.').map(Number);
    if (a.some((n) => n > 255)) return undefined;
    h = `${v4[1]}${(a[0]! * 256 + a[1]!).toString(16)}:${(a[2]! * 256 + a[3]!).toString(16)}`;
  }
  const halves = h.split('::');
  if (halves.length > 2) return undefined;
  const group = (s: string) => (s === '' ? [] : s.split(':'));
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  if (halves.length === 1 ? head.length !== 8 : head.length + rest.length > 7) return undefined;
  const all = [...head, ...Array<string>(8 - head.length - rest.length).fill('0'), ...rest];
  const out: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
    out.push(Number.parseInt(g, 16));
  }
  return out;
}

type AddressClass = 'blocked' | 'loopback' | 'ok';

function classifyV4([a, b, c, d]: number[]): AddressClass {
  if (a === 169 && b === 254) return 'blocked'; // link-local, cloud metadata
  if (a === 0) return 'blocked'; // "this network", 0.0.0.0
  if (a! >= 224) return 'blocked'; // multicast, reserved, broadcast
  if (a === 100 && b === 100 && c === 100 && d === 200) return 'blocked'; // Alibaba metadata
  if (a === 127) return 'loopback';
  return 'ok';
}

function classifyHost(hostname: string): AddressClass {
  const host = hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (METADATA_HOSTS.has(host)) return 'blocked';
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  const v4 = parseIpv4(host);
  if (v4) return classifyV4(v4);
  const v6 = parseIpv6(host);
  if (v6) {
    const [g0, , , , , g5, g6, g7] = v6;
    if (v6.every((g) => g === 0)) return 'blocked'; // ::
    if (v6.slice(0, 7).every((g) => g === 0) && g7 === 1) return 'loopback'; // ::1
    if ((g0! & 0xffc0) === 0xfe80) return 'blocked'; // link-local
    if ((g0! & 0xff00) === 0xff00) return 'blocked'; // multicast
    if (g0 === 0xfd00 && v6.slice(1, 7).every((g) => g === 0) && g7 === 0x254) return 'blocked'; // AWS v6 metadata
    // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d): judge the IPv4 address.
    if (v6.slice(0, 5).every((g) => g === 0) && (g5 === 0xffff || g5 === 0)) {
      return classifyV4([g6! >> 8, g6! & 255, g7! >> 8, g7! & 255]);
    }
    return 'ok';
  }
  return 'ok';
}

/** Checks a camera source for the caller; returns what to store, or throws a 400 / 403 saying why. */
export function checkCameraSource(source: string, policy: SourcePolicy): string {
  const s = source.trim();
  if (s.length === 0) throw new ValidationError('a camera needs a source');
  if (s.length > 2000) throw new ValidationError('a camera source is longer than 2000 characters');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(s))
    throw new ValidationError('a camera source cannot hold control characters');
  if (/^\d{1,2}$/.test(s)) return s;

  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(s)?.[1]?.toLowerCase();
  const windowsDrive = scheme !== undefined && scheme.length === 1;
  if (scheme && !windowsDrive && scheme !== 'file') {
    if (!STREAM_SCHEMES.has(`${scheme}:`)) {
      throw new ValidationError(`camera sources of type "${scheme}:" are not allowed; ${ALLOWED}`);
    }
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      throw new ValidationError(`the camera address is not a valid URL; ${ALLOWED}`);
    }
    if (!url.hostname) throw new ValidationError('the camera address needs a host (an IP address or name)');
    const verdict = classifyHost(url.hostname);
    if (verdict === 'blocked') {
      throw new ValidationError(
        `the camera address points at ${url.hostname}, a link-local, metadata or reserved address that a camera never has`,
      );
    }
    if (verdict === 'loopback' && policy.role !== 'admin') {
      throw forbidden('only an administrator may point a camera at the box itself (localhost)');
    }
    return s;
  }

  // A file path or file:// URL.
  if (policy.role !== 'admin')
    throw forbidden('only an administrator may use a video file as a camera source');
  let path: string;
  try {
    path = scheme === 'file' ? fileURLToPath(s) : s;
  } catch {
    throw new ValidationError('the file address is not valid');
  }
  if (!path.startsWith('/')) {
    throw new ValidationError(
      'a video file is a path on the box: give its absolute path there, such as /var/lib/oskartrack/videos/door.mp4',
    );
  }
  return posix.normalize(path);
}

/** The source with any password in it replaced by ***, for callers who only read. */
export function redactSource(source: string): string {
  try {
    const url = new URL(source);
    if (url.password) {
      url.password = '***';
      return url.toString();
    }
  } catch {
    // not a URL
  }
  return source;
}
