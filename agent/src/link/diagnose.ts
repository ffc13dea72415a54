// What went wrong with the link to the hub, in plain words, and what to do next. Pure functions of an
// error's code and message (a Node socket, DNS or TLS error, or an MQTT CONNACK refusal), so the
// running agent, `oskartrack-agent status` and `oskartrack-agent doctor` all say the same thing.

export type LinkProblemKind =
  | 'dns'
  | 'refused'
  | 'timeout'
  | 'unreachable'
  | 'closed'
  | 'tls-untrusted'
  | 'tls-pinned-ca'
  | 'tls-hostname'
  | 'tls-expired'
  | 'tls'
  | 'credentials'
  | 'client-id'
  | 'broker-unavailable'
  | 'hub-offline'
  | 'other';

export interface LinkProblem {
  kind: LinkProblemKind;
  /** What failed, naming the address. */
  message: string;
  /** The next thing to do. */
  advice: string;
}

export interface DiagnoseContext {
  /** The address tried: `mqtt://host:1883`, `mqtts://...`, `https://...`. */
  url: string;
  /** True when the box pins the hub's certificate authority (saved at enrollment). */
  pinnedCa?: boolean;
}

export interface ErrorLike {
  code?: string | number;
  message: string;
}

const DEFAULT_PORTS: Record<string, number> = {
  'mqtt:': 1883,
  'mqtts:': 8883,
  'ws:': 80,
  'wss:': 443,
  'http:': 80,
  'https:': 443,
};

/** `host:port` of a URL, with the scheme's default port filled in. */
export function hostPort(url: string): { host: string; port: number; label: string } {
  try {
    const u = new URL(url);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const port = u.port ? Number(u.port) : (DEFAULT_PORTS[u.protocol] ?? 0);
    return { host, port, label: `${u.hostname}:${port}` };
  } catch {
    return { host: url, port: 0, label: url };
  }
}

/** 127.0.0.0/8, ::1, localhost: the box itself. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127\./.test(h) || h === '::1';
}

const TLS_UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

type Rule = { kind: LinkProblemKind; codes: (string | number)[]; pattern: RegExp };

// Order matters: the first rule whose code or message matches wins.
const RULES: Rule[] = [
  {
    kind: 'dns',
    codes: ['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL'],
    pattern: /ENOTFOUND|EAI_AGAIN/,
  },
  { kind: 'refused', codes: ['ECONNREFUSED'], pattern: /ECONNREFUSED/ },
  {
    kind: 'timeout',
    codes: ['ETIMEDOUT', 'ETIMEOUT'],
    pattern: /ETIMEDOUT|connack timeout|timed out|timeout|no (TLS )?answer within/i,
  },
  {
    kind: 'unreachable',
    codes: ['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL'],
    pattern: /EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN/,
  },
  { kind: 'tls-hostname', codes: ['ERR_TLS_CERT_ALTNAME_INVALID'], pattern: /does not match certificate/i },
  {
    kind: 'tls-expired',
    codes: ['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'],
    pattern: /certificate (has expired|is not yet valid)/i,
  },
  {
    kind: 'tls-untrusted',
    codes: [...TLS_UNTRUSTED],
    pattern:
      /unable to (verify|get (local )?issuer)|self[- ]signed certificate|certificate signature failure/i,
  },
  {
    kind: 'tls',
    codes: ['EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER'],
    pattern: /SSL|TLS|wrong version number|handshake/i,
  },
  {
    kind: 'credentials',
    codes: [4, 5, 134, 135, 138],
    pattern: /not authori[sz]ed|bad user ?name or password|banned/i,
  },
  { kind: 'client-id', codes: [2, 133], pattern: /identifier rejected|client identifier not valid/i },
  { kind: 'broker-unavailable', codes: [3, 136, 137], pattern: /server unavailable|server busy/i },
  {
    kind: 'closed',
    codes: ['ECONNRESET', 'EPIPE'],
    pattern: /ECONNRESET|EPIPE|socket hang up|connection closed/i,
  },
];

function kindOf(error: ErrorLike): LinkProblemKind {
  for (const rule of RULES) {
    if (error.code !== undefined && rule.codes.includes(error.code)) return rule.kind;
  }
  for (const rule of RULES) if (rule.pattern.test(error.message)) return rule.kind;
  return 'other';
}

const ENROLL_AGAIN =
  'make a new enrollment code on the hub (Stores page, the store, "New enrollment code") and run "oskartrack-agent enroll --hub URL --code CODE" on this box';

type Wording = Omit<LinkProblem, 'kind'>;
type Where = ReturnType<typeof hostPort>;

/** Wording for failures to reach the hub at all (name, route, port, connection). */
function networkWords(kind: LinkProblemKind, ctx: DiagnoseContext, where: Where): Wording | undefined {
  const { host, port, label } = where;
  const loopback = isLoopbackHost(host);
  switch (kind) {
    case 'dns':
      return {
        message: `the name ${host} cannot be found (DNS)`,
        advice: `check the spelling of the hub address and this box's DNS server; if the hub gives a name this network does not know, add it to this box's /etc/hosts, or start the hub with --public-url set to an address this network knows and enroll again`,
      };
    case 'refused':
      return {
        message: `${label} refused the connection: nothing listens on that port`,
        advice: loopback
          ? `${host} is this box itself: unless the hub runs on this box, enroll again with the hub's network address (hub: --public-url)`
          : `check that the hub is running and listens on port ${port} (hub: oskartrack-hub serve ${/^https?:/.test(ctx.url) ? '--port' : '--mqtt-port'}), and that no firewall rejects the port`,
      };
    case 'timeout':
      return {
        message: `no answer from ${label} (timed out)`,
        advice: `check this box's network, the hub machine, and any firewall between them that drops port ${port}`,
      };
    case 'unreachable':
      return {
        message: `no route to ${label}: the network cannot reach the hub`,
        advice: `check this box's network cable or Wi-Fi, its address and gateway, and that the hub's address is right`,
      };
    case 'closed':
      return {
        message: `${label} closed the connection before answering`,
        advice:
          ctx.url.startsWith('mqtts:') || ctx.url.startsWith('https:')
            ? 'the hub may serve without TLS on that port: check that the scheme matches the hub'
            : 'the hub may expect TLS on that port (mqtts://): enroll again with the address the hub gives',
      };
    default:
      return undefined;
  }
}

/** Wording for TLS handshake and certificate failures. */
function tlsWords(
  kind: LinkProblemKind,
  ctx: DiagnoseContext,
  where: Where,
  raw: string,
): Wording | undefined {
  const { host, label } = where;
  switch (kind) {
    case 'tls-untrusted':
      return ctx.pinnedCa
        ? {
            message: `the certificate at ${label} was not issued by the hub this box enrolled with (pinned CA mismatch)`,
            advice: `if the hub was reinstalled or its certificate authority renewed, ${ENROLL_AGAIN}; if this is a broker of its own (hub: --mqtt-url), its certificate must be issued by the hub's certificate authority or by the one the hub was given with --mqtt-ca (then enroll again); otherwise another machine answers at this address`,
          }
        : {
            message: `the certificate at ${label} is not trusted by this box`,
            advice: `enroll again so the box pins the hub's certificate authority: ${ENROLL_AGAIN}`,
          };
    case 'tls-pinned-ca':
      return tlsWords('tls-untrusted', { ...ctx, pinnedCa: true }, where, raw);
    case 'tls-hostname':
      return {
        message: `the certificate at ${label} is made out to another name than ${host}`,
        advice: `use the name or address the hub's certificate was made for (hub: --public-url), then enroll again`,
      };
    case 'tls-expired':
      return {
        message: `the certificate at ${label} has expired or is not valid yet`,
        advice: `check this box's clock (timedatectl), then the hub's certificate dates`,
      };
    case 'tls':
      return {
        message: `the TLS handshake with ${label} failed (${raw})`,
        advice:
          ctx.url.startsWith('mqtts:') || ctx.url.startsWith('https:')
            ? 'the port may not speak TLS: check that the hub serves TLS there'
            : 'check that the scheme of the address matches the hub',
      };
    default:
      return undefined;
  }
}

/** Wording for the broker / hub refusing or failing once reached, and anything unclassified. */
function hubWords(kind: LinkProblemKind, where: Where, raw: string): Wording {
  const { label } = where;
  switch (kind) {
    case 'credentials':
      return {
        message: `the hub refused this box's credentials (${raw})`,
        advice: `the box was revoked or deleted on the hub: ${ENROLL_AGAIN}`,
      };
    case 'client-id':
      return {
        message: `the broker at ${label} refused this box's client id (${raw})`,
        advice: `the broker's access rules do not know this box: ${ENROLL_AGAIN}`,
      };
    case 'broker-unavailable':
      return {
        message: `the broker at ${label} cannot check logins right now (${raw})`,
        advice: 'the hub may have lost its database: look at the hub log; the box retries on its own',
      };
    case 'hub-offline':
      return {
        message: `the broker at ${label} answers, but the hub is offline`,
        advice:
          'start the hub (oskartrack-hub serve) or look at its log; events wait in the outbox meanwhile',
      };
    default:
      return {
        message: `${label}: ${raw}`,
        advice: 'look at the agent log (journalctl -u oskartrack-agent)',
      };
  }
}

function words(kind: LinkProblemKind, ctx: DiagnoseContext, raw: string): Wording {
  const where = hostPort(ctx.url);
  return networkWords(kind, ctx, where) ?? tlsWords(kind, ctx, where, raw) ?? hubWords(kind, where, raw);
}

/** Classifies a connection error (code and/or message) and says what to do next. */
export function diagnose(error: ErrorLike | string, ctx: DiagnoseContext): LinkProblem {
  const e: ErrorLike = typeof error === 'string' ? { message: error } : error;
  let kind = kindOf(e);
  if (kind === 'tls-untrusted' && ctx.pinnedCa) kind = 'tls-pinned-ca';
  return { kind, ...words(kind, ctx, e.message) };
}

/** The link state fields this needs (a subset of the Link's `state()`). */
export interface LinkStateView {
  connected: boolean;
  hub: 'online' | 'offline' | 'unknown';
  lastError: string | null;
}

/** The link's current problem, or null when it is connected and the hub is not known to be offline. */
export function linkProblem(state: LinkStateView, ctx: DiagnoseContext): LinkProblem | null {
  if (state.connected) {
    if (state.hub !== 'offline') return null;
    return { kind: 'hub-offline', ...words('hub-offline', ctx, '') };
  }
  if (state.lastError === null) return null;
  return diagnose(state.lastError, ctx);
}
