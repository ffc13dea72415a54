import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogFormat, logFormat } from '../src/log.ts';

/** A destination that keeps every line written to it. */
function capture(): { stream: Writable; lines: () => string[] } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, lines: () => text.split('\n').filter(Boolean) };
}

function logged(format: LogFormat, write: (log: ReturnType<typeof createLogger>) => void): string[] {
  const out = capture();
  write(createLogger('link', 'info', { format, destination: out.stream, colorize: false }));
  return out.lines();
}

describe('readable logs', () => {
  it('prints one line: time, level, component, message, then key=value', () => {
    const lines = logged('pretty', (log) =>
      log.info({ device: 'dev-1', waiting: 3, note: 'two words' }, 'connected'),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] INFO: \(link\) connected /);
    expect(lines[0]).toContain('device=dev-1 waiting=3 note="two words"');
    expect(lines[0]).not.toMatch(/[{}]/);
  });

  it('shows an error as its message and the first lines of its stack', () => {
    const lines = logged('pretty', (log) => log.error({ err: new Error('broker refused') }, 'link down'));
    expect(lines[0]).toMatch(/ERROR: \(link\) link down error: broker refused$/);
    const frames = lines.slice(1);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.length).toBeLessThanOrEqual(3);
    for (const f of frames) expect(f).toMatch(/^ {4}at /);
  });

  it('never prints secret-looking fields, readable or JSON', () => {
    const secrets = {
      password: 'hunter2',
      token: 'tok-123',
      mqtt: { secret: 's3cr3t', user: 'dev-1' },
      req: { headers: { authorization: 'Bearer abc', cookie: 'sid=1' } },
    };
    for (const format of ['pretty', 'json'] as const) {
      const text = logged(format, (log) => log.info(secrets, 'hello')).join('\n');
      for (const value of ['hunter2', 'tok-123', 's3cr3t', 'Bearer abc', 'sid=1'])
        expect(text).not.toContain(value);
      expect(text).toContain('dev-1');
    }
  });

  it('writes JSON lines when asked', () => {
    const lines = logged('json', (log) => log.warn({ waiting: 2 }, 'slow'));
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, name: 'link', msg: 'slow', waiting: 2 });
  });
});

describe('log format', () => {
  it('is readable in a terminal and JSON otherwise, unless LOG_FORMAT says', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(logFormat({ NODE_ENV: 'production' }, true)).toBe('json');
  });
});
