/**
 * Loopback addresses: a hub must never hand one to a box that reached it from elsewhere (the box
 * would try to connect to itself), and a box refuses one from a hub it reached from elsewhere.
 */

/** Whether a host name or address (brackets allowed) names the machine itself or no machine at all. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  // IPv4 127.0.0.0/8, also written IPv4-mapped (::ffff:127.0.0.1); 0.0.0.0 and :: mean "any address".
  const v4 = h.replace(/^::ffff:/, '');
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || v4 === '0.0.0.0') return true;
  return h === '::1' || h === '::' || /^0{0,4}(:0{0,4}){1,6}:0{0,3}1$/.test(h);
}

/** The host of a URL, or undefined when the text is not a URL with a host. */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}
