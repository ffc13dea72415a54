// Does the hub's web address answer? DNS, TCP, TLS, then `GET /api/health` (any HTTP answer counts:
// it proves something serves HTTP there; the status code is shown).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { diagnose } from '../link/diagnose.ts';
import { asError, type Check, fail, pass } from './check.ts';
import { type ProbeOptions, probeAddress } from './network.ts';

function get(url: URL, opts: ProbeOptions): Promise<number> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'GET',
      timeout: opts.timeoutMs,
      ...(opts.caPem && url.protocol === 'https:' ? { ca: opts.caPem } : {}),
    });
    req.on('timeout', () => {
      const error: NodeJS.ErrnoException = new Error(`no HTTP answer within ${opts.timeoutMs / 1000} s`);
      error.code = 'ETIMEDOUT';
      req.destroy(error);
    });
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.end();
  });
}

export async function checkHubHttp(hubUrl: string, opts: ProbeOptions): Promise<Check[]> {
  let url: URL;
  try {
    url = new URL('/api/health', hubUrl);
  } catch {
    return [
      fail(`hub address ${hubUrl} is not a valid address`, 'enroll again with --hub https://HOST:PORT'),
    ];
  }
  const probe = await probeAddress('hub web address', hubUrl, opts);
  if (!probe.ok) return probe.checks;
  try {
    const code = await get(url, opts);
    return [...probe.checks, pass(`hub web address: ${url.origin} answers (HTTP ${code})`)];
  } catch (err) {
    const e = asError(err);
    const problem = diagnose(
      { message: e.message, ...(e.code ? { code: e.code } : {}) },
      { url: hubUrl, pinnedCa: opts.caPem !== undefined },
    );
    return [...probe.checks, fail(`hub web address: ${problem.message}`, problem.advice)];
  }
}
