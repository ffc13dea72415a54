/**
 * A real SMTP server for tests (the `smtp-server` package) on a free port of 127.0.0.1: it signs in
 * one user with one password (plain connection, no STARTTLS) and keeps every message it takes.
 */
import type { AddressInfo } from 'node:net';
import type { EmailSettingsBody } from '@oskartrack/protocol';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  /** The message as sent (headers and body). */
  raw: string;
  /** The text after the headers, quoted-printable undone. */
  body: string;
}

export interface TestSmtp {
  port: number;
  user: string;
  password: string;
  received: ReceivedMail[];
  /** The settings a hub needs to send through this server (another password to test a wrong one). */
  settings(password?: string): EmailSettingsBody;
  close(): Promise<void>;
}

const hexByte = (_x: string, h: string) => String.fromCharCode(Number.parseInt(h, 16));

function fromQuotedPrintable(text: string): string {
  return Buffer.from(text.replace(/=\r\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, hexByte), 'latin1').toString(
    'utf8',
  );
}

/** Decodes RFC 2047 encoded words (=?UTF-8?Q?...?= / ?B?) a mailer may use in a header. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : fromQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

function parse(raw: string, from: string, to: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const subjectLine = head.split('\r\n').find((l) => /^subject:/i.test(l)) ?? '';
  const body = raw.slice(split + 4);
  const qp = /content-transfer-encoding:\s*quoted-printable/i.test(head);
  return {
    from,
    to,
    subject: decodeWords(subjectLine.replace(/^subject:\s*/i, '')),
    raw,
    body: qp ? fromQuotedPrintable(body) : body,
  };
}

export async function startTestSmtp(user = 'alerts', password = 'smtp-password-1'): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) callback(null, { user });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const to = session.envelope.rcptTo.map((r) => r.address);
        received.push(parse(Buffer.concat(chunks).toString('utf8'), from, to));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    user,
    password,
    received,
    settings: (pw = password) => ({
      host: '127.0.0.1',
      port,
      security: 'none',
      user,
      from: 'oskartrack@hub.example',
      password: pw,
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
