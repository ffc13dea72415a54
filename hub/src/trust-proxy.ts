/**
 * `--trust-proxy` / `OSKARTRACK_TRUST_PROXY`: which reverse proxies may tell the hub, through
 * `X-Forwarded-For`, the address a request really came from. Without it the header is ignored (anyone
 * could write it), and behind a proxy every user would share the proxy's address and its limits.
 *
 * The forms follow Fastify's `trustProxy`: `true` (trust every hop), a hop count (`1`: the nearest
 * proxy), or a comma-separated list of addresses and CIDRs (`10.0.0.1, 192.168.0.0/16`, or the names
 * `loopback`, `linklocal`, `uniquelocal`). A hop count believes that many hops whoever sent them, so it
 * is safe only when clients cannot reach the hub except through the proxies; prefer addresses.
 */
import { isIP } from 'node:net';

export type TrustProxy = boolean | number | string[];

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function validEntry(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

/** Parses the setting; throws a plain message naming `what` (the flag or variable) when it is wrong. */
export function parseTrustProxy(value: string, what = '--trust-proxy'): TrustProxy {
  const v = value.trim();
  if (/^(true|yes|on)$/i.test(v)) return true;
  if (/^(false|no|off|0|)$/i.test(v)) return false;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (Number.isSafeInteger(hops)) return hops;
  }
  const entries = v
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const wrong = entries.filter((e) => !validEntry(e));
  if (wrong.length > 0) {
    throw new Error(
      `${what}: "${wrong.join('", "')}" is not an address or CIDR range; give true, the number of proxies in front of the hub, or addresses such as 10.0.0.1,192.168.0.0/16`,
    );
  }
  return entries;
}

/**
 * The value for Fastify's `trustProxy`. Fastify 5 no longer honours a bare hop count (it trusts
 * nothing), so a count becomes the function Express uses: the nearest `hops` addresses are proxies.
 */
export function fastifyTrustProxy(
  tp: TrustProxy,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof tp !== 'number') return tp;
  return (_address, hop) => hop < tp;
}
