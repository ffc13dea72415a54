import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_REBASE_SEQ, Outbox } from '../../src/outbox/outbox.ts';
import { captureLog, crossing, events, tempDir } from './helpers.ts';

const dirs: Array<{ remove: () => void }> = [];
const open: Outbox[] = [];

function setup(options: ConstructorParameters<typeof Outbox>[1] = {}) {
  const tmp = tempDir('outbox');
  dirs.push(tmp);
  const path = tmp.file('outbox.db');
  const log = captureLog();
  const make = (more: ConstructorParameters<typeof Outbox>[1] = {}) => {
    const outbox = new Outbox(path, { logger: log.logger, ...options, ...more });
    open.push(outbox);
    return outbox;
  };
  return { path, log, make };
}

afterEach(() => {
  for (const o of open.splice(0)) o.close();
  for (const d of dirs.splice(0)) d.remove();
});

describe('Outbox', () => {
  it('assigns consecutive seqs starting at 1, in one call and across calls', () => {
    const outbox = setup().make();
    expect(outbox.lastSeq).toBe(0);
    expect(outbox.append(events(1, 3))).toEqual([1, 2, 3]);
    expect(outbox.append([crossing(4)])).toEqual([4]);
    expect(outbox.append([])).toEqual([]);
    expect(outbox.depth()).toBe(4);
    expect(outbox.lastSeq).toBe(4);
  });

  it('keeps seq growing across reopen, even after the table was emptied', () => {
    const { make } = setup();
    const first = make();
    first.append(events(1, 5));
    expect(first.ackUpTo(5)).toBe(5);
    expect(first.depth()).toBe(0);
    first.close();

    const second = make();
    expect(second.depth()).toBe(0);
    expect(second.lastSeq).toBe(5);
    expect(second.append(events(6, 2))).toEqual([6, 7]);
    second.close();

    const third = make();
    expect(third.claim(10).map((e) => e.seq)).toEqual([6, 7]);
    expect(third.append([crossing(8)])).toEqual([8]);
  });

  it('claims in seq order, after a given seq, up to a limit, with the events intact', () => {
    const outbox = setup().make();
    outbox.append(events(1, 10));
    const all = outbox.claim(100);
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(all[3]).toEqual({ seq: 4, event: crossing(4) });
    expect(outbox.claim(3, 4).map((e) => e.seq)).toEqual([5, 6, 7]);
    expect(outbox.claim(3, 10)).toEqual([]);
    expect(outbox.claim(0)).toEqual([]);
    // claiming does not remove anything
    expect(outbox.depth()).toBe(10);
  });

  it('ackUpTo deletes exactly the acknowledged prefix and is idempotent', () => {
    const outbox = setup().make();
    outbox.append(events(1, 10));
    expect(outbox.ackUpTo(4)).toBe(4);
    expect(outbox.ackUpTo(4)).toBe(0);
    expect(outbox.ackUpTo(2)).toBe(0);
    expect(outbox.depth()).toBe(6);
    expect(outbox.firstSeq()).toBe(5);
    expect(outbox.claim(2).map((e) => e.seq)).toEqual([5, 6]);
    expect(outbox.ackUpTo(100)).toBe(6);
    expect(outbox.depth()).toBe(0);
    expect(outbox.firstSeq()).toBeUndefined();
  });

  it('drops the oldest events over the size bound, counts and logs the drops, and keeps the count', () => {
    const { make, log } = setup({ maxEvents: 5 });
    const outbox = make();
    outbox.append(events(1, 4));
    expect(outbox.dropped).toBe(0);
    outbox.append(events(5, 3));
    expect(outbox.depth()).toBe(5);
    expect(outbox.dropped).toBe(2);
    expect(outbox.claim(10).map((e) => e.seq)).toEqual([3, 4, 5, 6, 7]);
    const warning = log.lines.find((l) => l.level === 40);
    expect(warning).toMatchObject({ reason: 'size', dropped: 2, fromSeq: 1, toSeq: 2, totalDropped: 2 });
    expect(warning?.msg).toMatch(/OUTBOX FULL/);

    // one append larger than the bound keeps its newest events
    outbox.append(events(8, 7));
    expect(outbox.claim(10).map((e) => e.seq)).toEqual([10, 11, 12, 13, 14]);
    expect(outbox.dropped).toBe(9);
    outbox.close();
    const again = make();
    expect(again.dropped).toBe(9);
    expect(again.stats()).toMatchObject({ depth: 5, dropped: 9 });
  });

  it('drops events older than the age bound, on append and on prune', () => {
    let now = 1_000_000;
    const { make, log } = setup({ maxAgeMs: 1000, now: () => now });
    const outbox = make();
    outbox.append(events(1, 3));
    now += 600;
    outbox.append(events(4, 2));
    now += 300;
    expect(outbox.oldestAgeMs()).toBe(900);
    now += 200; // first three are now 1100 ms old
    outbox.append([crossing(6)]);
    expect(outbox.claim(10).map((e) => e.seq)).toEqual([4, 5, 6]);
    expect(outbox.dropped).toBe(3);
    expect(outbox.oldestAgeMs()).toBe(500);
    now += 2000;
    outbox.prune();
    expect(outbox.depth()).toBe(0);
    expect(outbox.dropped).toBe(6);
    expect(outbox.oldestAgeMs()).toBe(0);
    expect(log.lines.filter((l) => l.reason === 'age').map((l) => l.dropped)).toEqual([3, 3]);
  });

  it('rejects invalid events without storing any of the batch', () => {
    const outbox = setup().make();
    const bad = { ...crossing(2), trackId: 0 };
    expect(() => outbox.append([crossing(1), bad])).toThrow(/event 1 is not a valid/);
    const huge = { ...crossing(3), cameraId: 'x'.repeat(2000) };
    expect(() => outbox.append([huge])).toThrow();
    expect(outbox.depth()).toBe(0);
    expect(outbox.lastSeq).toBe(0);
    expect(outbox.append([crossing(1)])).toEqual([1]);
  });

  it('tells listeners about appends', () => {
    const outbox = setup().make();
    let calls = 0;
    const off = outbox.onAppend(() => calls++);
    outbox.append(events(1, 3));
    outbox.append([]);
    off();
    outbox.append(events(4, 1));
    expect(calls).toBe(1);
  });

  it('rebases waiting events above a seq the hub already has, keeping their order', () => {
    const outbox = setup().make();
    outbox.append(events(1, 5));
    outbox.ackUpTo(2);
    expect(outbox.rebaseAbove(3)).toBe(0); // not above lastSeq: nothing to do
    expect(outbox.rebaseAbove(100)).toBe(98);
    expect(outbox.claim(10)).toEqual([
      { seq: 101, event: crossing(3) },
      { seq: 102, event: crossing(4) },
      { seq: 103, event: crossing(5) },
    ]);
    expect(outbox.lastSeq).toBe(103);
    expect(outbox.append([crossing(6)])).toEqual([104]);
    outbox.ackUpTo(104);
    outbox.rebaseAbove(200);
    expect(outbox.append([crossing(7)])).toEqual([201]);
  });

  it('refuses to renumber above MAX_REBASE_SEQ, and keeps working (no seq past 2^53 ever)', () => {
    const outbox = setup().make();
    outbox.append(events(1, 3));
    expect(() => outbox.rebaseAbove(Number.MAX_SAFE_INTEGER)).toThrow(RangeError);
    expect(() => outbox.rebaseAbove(MAX_REBASE_SEQ + 1)).toThrow(/more than/);
    expect(outbox.lastSeq).toBe(3);
    expect(outbox.append([crossing(4)])).toEqual([4]);
    expect(outbox.rebaseAbove(MAX_REBASE_SEQ)).toBe(MAX_REBASE_SEQ);
    expect(outbox.append([crossing(5)])).toEqual([MAX_REBASE_SEQ + 5]);
  });

  it('remembers the highest seq ever sent across restarts', () => {
    const { make } = setup();
    const outbox = make();
    outbox.append(events(1, 10));
    expect(outbox.highestSent).toBe(0);
    outbox.markSent(6);
    outbox.markSent(4); // a resend of older events: no change
    expect(outbox.highestSent).toBe(6);
    expect(() => outbox.markSent(11)).toThrow(/never assigned/);
    expect(() => outbox.increment('sent')).toThrow(/reserved/);
    outbox.close();
    expect(make().highestSent).toBe(6);
  });

  it('keeps named counters apart from the seq', () => {
    const { make } = setup();
    const outbox = make();
    expect(outbox.increment('connection')).toBe(1);
    expect(outbox.increment('connection')).toBe(2);
    expect(() => outbox.increment('seq')).toThrow();
    outbox.close();
    const again = make();
    expect(again.increment('connection')).toBe(3);
    expect(again.lastSeq).toBe(0);
  });

  it('uses WAL and the chosen synchronous level', () => {
    const { path, make } = setup();
    make({ synchronous: 'normal' }).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('survives SIGKILL in the middle of appends: no gap, no duplicate, the counter continues', async () => {
    const { path, make } = setup();
    const script = fileURLToPath(new URL('./fixtures/append-loop.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let lastReported = 0;
    let lines = 0;
    let buffered = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop() ?? '';
        for (const line of parts) {
          lastReported = Number(line.split(' ')[1]);
          lines++;
        }
        if (lines >= 300) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`child exited early: ${stderr}`)));
    });
    expect(await exited).toBe('SIGKILL');

    const outbox = make();
    expect(outbox.lastSeq).toBeGreaterThanOrEqual(lastReported);
    const rows = outbox.claim(1_000_000);
    expect(rows.length).toBe(outbox.depth());
    const first = rows[0]!.seq;
    rows.forEach((row, i) => {
      expect(row.seq).toBe(first + i); // contiguous: no gap, no duplicate
      expect(row.event).toEqual(crossing(row.seq)); // each seq holds the event written with it
    });
    expect(rows[rows.length - 1]!.seq).toBe(outbox.lastSeq);
    expect(outbox.append([crossing(outbox.lastSeq + 1)])).toEqual([rows[rows.length - 1]!.seq + 1]);
  });
});
