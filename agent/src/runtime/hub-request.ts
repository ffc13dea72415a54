/**
 * One JSON request to the hub over HTTP or HTTPS. With `ca` only that certificate authority is
 * trusted (the one pinned at enrollment); without it, the system's. TLS failures come back in plain
 * words with the next step.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HubResponse {
  status: number;
  /** The JSON answer; undefined when it was empty or not JSON. */
  body: unknown;
  contentType: string | undefined;
}

const MAX_BODY = 1_000_000;

/** What a TLS error code means for the installer, or undefined for other errors. */
export function explainTlsError(code: string | undefined, url: URL): string | undefined {
  switch (code) {
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return (
        `the hub's certificate does not name ${url.hostname}: use the address the hub's certificate names, ` +
        `or start the hub with --public-url https://${url.host} so its certificate covers it`
      );
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_SIGNATURE_FAILURE':
      return `the hub's certificate is not signed by the certificate authority this box trusts (${code}): enroll the box again with a new code`;
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return `the hub's certificate is outside its validity (${code}): check the clocks of the hub and the box`;
    default:
      return undefined;
  }
}

function readBody(res: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > MAX_BODY) res.destroy(new Error('the answer is too large'));
    });
    res.on('end', () => {
      try {
        resolve(text ? JSON.parse(text) : undefined);
      } catch {
        resolve(undefined);
      }
    });
    res.on('error', reject);
  });
}

export function hubRequest(
  url: URL,
  opts: {
    method: string;
    body?: unknown;
    headers?: Record<string, string>;
    ca?: string | undefined;
    timeoutMs?: number;
  },
): Promise<HubResponse> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const options = {
      method: opts.method,
      timeout: timeoutMs,
      headers: {
        ...opts.headers,
        ...(payload
          ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }
          : {}),
      },
    };
    const onResponse = (res: IncomingMessage) =>
      readBody(res).then(
        (body) => resolve({ status: res.statusCode ?? 0, body, contentType: res.headers['content-type'] }),
        reject,
      );
    const req =
      url.protocol === 'https:'
        ? httpsRequest(
            url,
            { ...options, ...(opts.ca ? { ca: opts.ca } : {}), rejectUnauthorized: true },
            onResponse,
          )
        : httpRequest(url, options, onResponse);
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.once('error', (error: NodeJS.ErrnoException) => {
      reject(new Error(explainTlsError(error.code, url) ?? error.message));
    });
    req.end(payload);
  });
}
