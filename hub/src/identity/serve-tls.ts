/**
 * Which TLS identity `serve` uses: given files (`--tls-cert/--tls-key`, optional `--tls-ca`), else the
 * hub's own CA and server certificate; none only with `--insecure`, and then a warning at every start.
 */
import type { Logger } from 'pino';
import { certificateNames, type HubTls, loadOrCreateHubTls, loadTlsFiles, tlsDir } from './tls.ts';

export interface ServeTlsOptions {
  dataDir: string;
  insecure?: boolean | undefined;
  publicUrl?: string | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  tlsCa?: string | undefined;
  log: Logger;
}

/** Checks `--public-url`: an http(s) origin, https when the hub serves TLS. Returns its origin. */
export function checkPublicUrl(value: string | undefined, tls: boolean): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--public-url "${value}" is not a URL; give it as https://hub.example.com:8080`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`--public-url must start with https:// (got ${url.protocol}//)`);
  if (tls && url.protocol !== 'https:')
    throw new Error(
      `--public-url ${value} says http://, but this hub serves HTTPS: write https://, or start it with --insecure`,
    );
  if (url.pathname !== '/' || url.search || url.hash || url.username)
    throw new Error(`--public-url must be only scheme, host and port (got ${value}); drop the path`);
  return url.origin;
}

export async function serveTls(opts: ServeTlsOptions): Promise<HubTls | undefined> {
  const { log } = opts;
  if (opts.insecure) {
    log.warn(
      'INSECURE MODE (--insecure): the API, the dashboard and MQTT are plain text; passwords, tokens, ' +
        'device secrets and camera addresses cross the network readable by anyone on it. Use it only for a demo or tests on one machine.',
    );
    return undefined;
  }
  if (opts.tlsCert || opts.tlsKey || opts.tlsCa) {
    if (!opts.tlsCert || !opts.tlsKey)
      throw new Error('--tls-cert and --tls-key go together: give both (and --tls-ca for the CA boxes pin)');
    const tls = await loadTlsFiles({
      cert: opts.tlsCert,
      key: opts.tlsKey,
      ...(opts.tlsCa ? { ca: opts.tlsCa } : {}),
    });
    log.info({ names: tls.names, caFingerprint: tls.caFingerprint }, `TLS with ${opts.tlsCert}`);
    return tls;
  }
  const tls = await loadOrCreateHubTls({
    dataDir: opts.dataDir,
    names: certificateNames({ publicUrl: opts.publicUrl }),
  });
  if (tls.made.ca) log.info(`made the hub's certificate authority in ${tlsDir(opts.dataDir)}`);
  if (tls.made.server) log.info({ names: tls.names }, "made the hub's server certificate");
  return tls;
}
