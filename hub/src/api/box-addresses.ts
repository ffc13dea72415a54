/**
 * The addresses a box must use, as enrollment hands them out: from the hub's public URL when one is
 * set, else from the `Host` the box itself called. Never a loopback address for a box that came from
 * another machine: that box would try to reach itself.
 */
import { isLoopbackHost } from '@oskartrack/protocol';

export interface EnrollmentSettings {
  /** `--public-url`: the hub's address as boxes and browsers reach it (an origin, no path). */
  publicUrl?: string | undefined;
  /** Set when the hub serves HTTPS: the CA boxes pin, and its fingerprint that enrollment codes carry. */
  tls?: { caPem: string; caFingerprint: string } | undefined;
  /**
   * An external broker's URL (its loopback host is swapped for the hub's) and its own CA when it has
   * one (`--mqtt-ca`), or the embedded broker's port.
   */
  broker: { url: string; ca?: string } | { port: number; tls: boolean };
  /** The hub's Ed25519 public key (SPKI DER, base64). */
  signingKey: string;
}

export class AddressError extends Error {}

/** `host` as it may stand in a URL: an IPv6 address in brackets. */
function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The hub's own address for a request that reached it at `host` (`Host` header, with port). */
export function hubUrlFor(settings: EnrollmentSettings, host: string | undefined): string {
  if (settings.publicUrl) return settings.publicUrl;
  if (!host) throw new AddressError('the request named no host; start the hub with --public-url');
  let url: URL;
  try {
    url = new URL(`${settings.tls ? 'https' : 'http'}://${host}`);
  } catch {
    throw new AddressError(
      `the request's host "${host}" is not a host name; start the hub with --public-url`,
    );
  }
  return url.origin;
}

/** The hub and broker addresses a box that called the hub at `host` from `clientIp` must use. */
export function boxAddresses(
  settings: EnrollmentSettings,
  request: { host: string | undefined; clientIp: string },
): { hubUrl: string; mqttUrl: string } {
  const hubUrl = hubUrlFor(settings, request.host);
  const hubHost = new URL(hubUrl).hostname;
  let mqttUrl: string;
  if ('url' in settings.broker) {
    const broker = new URL(settings.broker.url);
    // A broker the hub reaches on its own machine is the same machine the box called.
    if (isLoopbackHost(broker.hostname)) broker.hostname = hubHost;
    mqttUrl = broker.toString();
  } else {
    mqttUrl = `${settings.broker.tls ? 'mqtts' : 'mqtt'}://${urlHost(hubHost)}:${settings.broker.port}`;
  }
  const mqttHost = new URL(mqttUrl).hostname;
  if (!isLoopbackHost(request.clientIp) && (isLoopbackHost(hubHost) || isLoopbackHost(mqttHost))) {
    throw new AddressError(
      `this box reached the hub from ${request.clientIp}, but the hub knows itself only as ${
        isLoopbackHost(hubHost) ? hubHost : mqttHost
      }, an address of the hub's own machine that the box cannot reach: start the hub with ` +
        '--public-url https://<name or address the boxes reach>:<port> (or set OSKARTRACK_PUBLIC_URL), then enroll again',
    );
  }
  return { hubUrl, mqttUrl };
}
