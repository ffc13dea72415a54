import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressBar } from '../../src/commands/progress.ts';

describe('the progress bar', () => {
  const tty = process.stderr.isTTY;
  afterEach(() => {
    process.stderr.isTTY = tty;
    vi.restoreAllMocks();
  });

  function written(): string[] {
    process.stderr.isTTY = true;
    const out: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    return out;
  }

  it('ends its line when a file cut short stops before its total', () => {
    const out = written();
    const bar = progressBar('cut.avi');
    bar.update(16, 795);
    bar.end();
    bar.end();
    expect(out.join('')).toMatch(/^\rcut\.avi \[#?\.+\] 16\/795 frames, [\d.]+ frames\/s \n$/);
  });

  it('writes nothing when standard error is not a terminal', () => {
    const out = written();
    process.stderr.isTTY = false;
    const bar = progressBar('a.avi');
    bar.update(1, 2);
    bar.end();
    expect(out).toEqual([]);
  });
});
