/**
 * A real SMTP server (the smtp-server package) on a free local port that keeps every message it
 * receives, and a small MIME reader for what nodemailer sends: subject, text and attachments.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

export interface MailBox {
  port: number;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/** RFC 2047 encoded words (=?UTF-8?B?...?= and =?UTF-8?Q?...?=). */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

function headersOf(block: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return out;
}

function param(header: string | undefined, name: string): string | undefined {
  const m = new RegExp(`${name}\\*?=("([^"]*)"|[^;\\s]+)`, 'i').exec(header ?? '');
  return m ? decodeWords(m[2] ?? m[1] ?? '') : undefined;
}

function body(content: string, encoding: string | undefined): Buffer {
  if (encoding?.toLowerCase() === 'base64') return Buffer.from(content.replace(/\s+/g, ''), 'base64');
  if (encoding?.toLowerCase() === 'quoted-printable') {
    const soft = content.replace(/=\r?\n/g, '');
    return Buffer.from(
      soft.replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
      'latin1',
    );
  }
  return Buffer.from(content, 'utf8');
}

/** Splits a (possibly multipart) entity into leaf parts. */
function leaves(raw: string): { headers: Map<string, string>; content: Buffer }[] {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = headersOf(raw.slice(0, split));
  const rest = raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = param(type, 'boundary');
  if (!type.toLowerCase().startsWith('multipart/') || !boundary)
    return [{ headers, content: body(rest, headers.get('content-transfer-encoding')) }];
  const parts = rest.split(`--${boundary}`).slice(1);
  return parts.filter((p) => !p.startsWith('--')).flatMap((p) => leaves(p.replace(/^\r?\n/, '')));
}

export function parseMail(raw: string, to: string[]): ReceivedMail {
  const top = headersOf(raw.slice(0, raw.search(/\r?\n\r?\n/)));
  const mail: ReceivedMail = {
    to,
    subject: decodeWords(top.get('subject') ?? ''),
    text: '',
    attachments: [],
  };
  for (const part of leaves(raw)) {
    const disposition = part.headers.get('content-disposition') ?? '';
    const type = part.headers.get('content-type') ?? 'text/plain';
    if (disposition.toLowerCase().startsWith('attachment'))
      mail.attachments.push({
        filename: param(disposition, 'filename') ?? param(type, 'name') ?? '',
        contentType: type.split(';')[0]?.trim() ?? '',
        content: part.content,
      });
    else if (type.toLowerCase().startsWith('text/plain')) mail.text += part.content.toString('utf8');
  }
  return mail;
}

export async function startMailBox(): Promise<MailBox> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(
          parseMail(
            Buffer.concat(chunks).toString('latin1'),
            session.envelope.rcptTo.map((r) => r.address),
          ),
        );
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Waits (polling) until `n` messages arrived; generous for a busy machine. */
export async function waitForMails(box: MailBox, n: number, timeoutMs = 60_000): Promise<ReceivedMail[]> {
  const until = Date.now() + timeoutMs;
  while (box.mails.length < n) {
    if (Date.now() > until) throw new Error(`expected ${n} e-mails, got ${box.mails.length}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return box.mails;
}
