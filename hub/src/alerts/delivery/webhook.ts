/**
 * Sends one alert notice as a signed JSON POST. The signature is HMAC-SHA256 over
 * `${timestamp}.${body}` with the hub's secret, in `X-OskarTrack-Signature: sha256=<hex>` beside
 * `X-OskarTrack-Timestamp` (seconds). A 2xx answer delivers it; anything else is a failure to retry.
 * Redirects are followed only to the same scheme, host and port (307/308, which keep the POST):
 * a receiver can not send the signed alert on to another host.
 */
import { createHmac } from 'node:crypto';
import {
  type AlertNotice,
  WEBHOOK_DELIVERY_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from '@oskartrack/protocol';

export const WEBHOOK_TIMEOUT_MS = 10_000;
const MAX_SAME_HOST_REDIRECTS = 3;

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookPost {
  url: string;
  notice: AlertNotice;
  deliveryId: string;
  secret: string;
  /** Seconds since 1970 put in the timestamp header. */
  nowSeconds: number;
  timeoutMs?: number;
}

/** Where a URL points, without its path, user or query (which may hold a token): for messages. */
function place(url: URL): string {
  return url.host;
}

function describeError(err: unknown, url: URL, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return `the webhook at ${place(url)} did not answer within ${timeoutMs / 1000} s`;
  const why = e.cause?.code ?? e.cause?.message ?? e.message;
  return `could not reach the webhook at ${place(url)} (${why}): check the address and that the receiver is running`;
}

/** Resolves when delivered; rejects with words (never the URL's path, user or query). */
export async function postWebhook(p: WebhookPost): Promise<void> {
  const timeoutMs = p.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const body = JSON.stringify(p.notice);
  const timestamp = String(p.nowSeconds);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'OskarTrack-Hub',
    [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
    [WEBHOOK_SIGNATURE_HEADER]: webhookSignature(p.secret, timestamp, body),
    [WEBHOOK_DELIVERY_HEADER]: p.deliveryId,
  };
  const signal = AbortSignal.timeout(timeoutMs);
  let url = new URL(p.url);
  if (url.username || url.password)
    throw new Error(
      `the webhook address for ${place(url)} holds a user name or password, which is not sent: remove it (receivers check the signature)`,
    );
  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal });
    } catch (err) {
      throw new Error(describeError(err, url, timeoutMs));
    }
    await res.body?.cancel().catch(() => undefined); // the answer's body is not used
    if (res.status >= 200 && res.status < 300) return;
    const next = sameHostRedirect(res, url);
    if (next && hop < MAX_SAME_HOST_REDIRECTS) {
      url = next;
      continue;
    }
    if (res.status >= 300 && res.status < 400)
      throw new Error(
        `the webhook at ${place(url)} answered with a redirect (${res.status}) that is not followed: set the rule's webhook to the address that takes the POST`,
      );
    throw new Error(`the webhook at ${place(url)} answered ${res.status} ${res.statusText}`.trim());
  }
}

/** The redirect target when it keeps the POST and stays on the same scheme, host and port. */
function sameHostRedirect(res: Response, from: URL): URL | undefined {
  if (res.status !== 307 && res.status !== 308) return undefined;
  const location = res.headers.get('location');
  if (!location) return undefined;
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    return undefined;
  }
  return to.origin === from.origin ? to : undefined;
}
