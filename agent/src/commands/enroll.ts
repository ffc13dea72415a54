/**
 * `oskartrack-agent enroll`: trades the hub's one-time code for this box's identity. For an https hub
 * the code carries the fingerprint of the hub's certificate authority: the box checks the CA the hub
 * presents against it before sending anything, then trusts only that CA (saved in the identity as
 * `caPem`, used for MQTT over TLS too unless the hub hands the broker's own CA, `mqttCaPem`). A box
 * enrolled before on the same hub offers its old identity to be taken over (`replacing`). A hub address or broker address on the hub's own machine,
 * handed to a box that reached the hub from elsewhere, is refused with what to do instead.
 */

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { check, EnrollReply, hostOf, isLoopbackHost } from '@oskartrack/protocol';
import { splitEnrollmentCode } from '@oskartrack/protocol/enrollment-code';
import { hubRequest } from '../runtime/hub-request.ts';
import { forgetConfig, type Identity, loadIdentity, saveIdentity } from '../runtime/identity.ts';
import { fetchPinnedCa } from '../runtime/pinned-ca.ts';
import { unreachableHub } from '../runtime/unreachable-hub.ts';

export interface EnrollOptions {
  /** The hub's address as the installer typed it (`https://hub.example.com:8080`). */
  hub: string;
  code: string;
  name?: string;
  dataDir: string;
  /** The broker address to use instead of the one the hub hands out. */
  mqttUrl?: string;
  timeoutMs?: number;
  /** Told about what works but is not safe (a hub without TLS). */
  warn?: (message: string) => void;
  /** Looks a host name up (default the system's resolver; tests give their own). */
  lookupHost?: (host: string) => Promise<unknown>;
}

function hubAddress(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--hub "${text}" is not an address; give it as https://hub.example.com:8080`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`--hub must start with https:// (got ${url.protocol}//)`);
  return url;
}

/** The CA to trust for an https hub: pinned through the code's fingerprint, or the system's (undefined). */
async function trustFor(hub: URL, fingerprint: string | undefined, opts: EnrollOptions) {
  if (hub.protocol === 'http:') {
    if (fingerprint)
      throw new Error(
        `this code is for a hub that serves HTTPS, but --hub says ${hub.origin}: use --hub https://${hub.host}`,
      );
    opts.warn?.(
      `the hub at ${hub.origin} runs without TLS (--insecure): this box's secret and its events cross the network in clear`,
    );
    return undefined;
  }
  if (!fingerprint) {
    opts.warn?.(
      "this code carries no hub fingerprint: the hub's certificate must be trusted by this machine's system certificate store",
    );
    return undefined;
  }
  return fetchPinnedCa(hub, fingerprint, opts.timeoutMs);
}

/**
 * Warns about an address the hub gave that this box cannot look up (a --public-url name this network's
 * DNS does not know): the box would enroll, then never reach the hub.
 */
async function warnUnresolvable(identity: Identity, opts: EnrollOptions): Promise<void> {
  const given = [identity.hubUrl, ...(opts.mqttUrl ? [] : [identity.mqttUrl])];
  for (const address of given) {
    const host = new URL(address).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) continue;
    const found = await (opts.lookupHost ?? lookup)(host).then(
      () => true,
      () => false,
    );
    if (!found)
      opts.warn?.(
        `the hub gives ${address} as its address, and this box cannot look up ${host} (DNS): add the name to this network's DNS or this box's /etc/hosts, or start the hub with --public-url set to an address this network knows and enroll again${opts.mqttUrl ? '' : ' (for the broker alone: --mqtt-url)'}`,
      );
  }
}

/** Refuses a broker address given in clear (mqtt://, ws://) for a hub whose broker speaks TLS. */
export function refuseCleartext(reply: EnrollReply, mqttUrl: string | undefined): void {
  const clear = (url: string) => /^(mqtt|ws):/i.test(url);
  if (mqttUrl === undefined || !clear(mqttUrl) || clear(reply.mqtt.url)) return;
  throw new Error(
    `--mqtt-url ${mqttUrl} is not encrypted, but the hub's broker speaks TLS (${reply.mqtt.url}): this box's ` +
      'secret would cross the network in clear. The code is used up: create a new one and enroll with ' +
      `--mqtt-url ${mqttUrl.replace(/^mqtt:/i, 'mqtts:').replace(/^ws:/i, 'wss:')} (the broker's TLS port).`,
  );
}

/** Refuses addresses on the hub's own machine when this box reached the hub from elsewhere. */
export function refuseLoopback(hub: URL, reply: EnrollReply, mqttUrlGiven: boolean): void {
  if (isLoopbackHost(hub.hostname)) return;
  const wrong = [
    ['hub address', reply.hubUrl],
    ...(mqttUrlGiven ? [] : [['broker address', reply.mqtt.url]]),
  ].find(([, url]) => isLoopbackHost(hostOf(url!) ?? ''));
  if (!wrong) return;
  throw new Error(
    `the hub at ${hub.origin} gave this box the ${wrong[0]} ${wrong[1]}, which is the hub's own machine as ` +
      'seen from the hub: this box cannot reach it there. The code is used up. On the hub, start it with ' +
      '--public-url https://<name or address the boxes reach>:<port> (or set OSKARTRACK_PUBLIC_URL) and create ' +
      'a new code; or enroll with --mqtt-url mqtts://<hub address>:8883 to give the broker address yourself.',
  );
}

/**
 * The identity this box had on the same hub, offered to the hub to take over: the same pinned
 * authority, or for a hub whose code has no fingerprint the same address (over plain HTTP that
 * secret then crosses the network in clear, as the new one does). Its secret goes to no other hub.
 */
export async function replacing(dataDir: string, hub: URL, caPem: string | undefined) {
  const previous = await loadIdentity(dataDir).catch(() => undefined);
  if (!previous) return undefined;
  const sameHub = caPem
    ? previous.caPem === caPem
    : !previous.caPem && new URL(previous.hubUrl).origin === hub.origin;
  return sameHub ? { deviceId: previous.deviceId, secret: previous.secret } : undefined;
}

/** An enrollment's identity, and the old one of this box it took over (its cameras moved). */
export type Enrolled = Identity & { replaced?: EnrollReply['replaced'] };

/** Trades a one-time enrollment code for this box's credential and saves it (mode 0600). */
export async function enroll(opts: EnrollOptions): Promise<Enrolled> {
  const hub = hubAddress(opts.hub);
  const { fingerprint } = splitEnrollmentCode(opts.code);
  const caPem = await trustFor(hub, fingerprint, opts);
  const replaces = await replacing(opts.dataDir, hub, caPem);
  let res: Awaited<ReturnType<typeof hubRequest>>;
  try {
    res = await hubRequest(new URL('/api/enroll', hub), {
      method: 'POST',
      body: { code: opts.code, ...(opts.name ? { name: opts.name } : {}), ...(replaces ? { replaces } : {}) },
      ca: caPem,
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    });
  } catch (err) {
    if (!fingerprint && /not signed by the certificate authority/.test(String(err)))
      throw new Error(
        `the hub's certificate is not trusted by this machine, and this code carries no hub fingerprint to trust it by: copy the whole code from the dashboard (a hub with a certificate authority of its own gives codes that end with its fingerprint)`,
      );
    throw unreachableHub(hub, err);
  }
  if (res.status !== 201) {
    const message = (res.body as { message?: unknown } | undefined)?.message;
    throw new Error(
      `the hub refused the code (${res.status}): ${typeof message === 'string' ? message : 'no reason given'}`,
    );
  }
  const r = check(EnrollReply, res.body);
  if (!r.ok) throw new Error(`unexpected answer from the hub: ${r.error}`);
  const identity: Identity = {
    deviceId: r.value.deviceId,
    secret: r.value.secret,
    hubUrl: r.value.hubUrl,
    mqttUrl: opts.mqttUrl ?? r.value.mqtt.url,
    signingKey: r.value.signingKey,
    ...(caPem ? { caPem } : {}),
    ...(r.value.mqtt.ca ? { mqttCaPem: r.value.mqtt.ca } : {}),
  };
  // Refused before saving: a box enrolled again keeps its old identity, which works until a new one
  // first connects (the hub's takeover waits for that).
  refuseLoopback(hub, r.value, opts.mqttUrl !== undefined);
  refuseCleartext(r.value, opts.mqttUrl);
  await warnUnresolvable(identity, opts);
  await saveIdentity(opts.dataDir, identity);
  if (!r.value.replaced) await forgetConfig(opts.dataDir);
  return { ...identity, ...(r.value.replaced ? { replaced: r.value.replaced } : {}) };
}
