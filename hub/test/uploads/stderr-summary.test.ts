/** What the upload worker prints, summed up: a count and the last few different lines. */
import { describe, expect, it } from 'vitest';
import { StderrSummary } from '../../src/uploads/stderr-summary.ts';

describe('StderrSummary', () => {
  it('keeps a count and the last three different lines, not thousands of raw lines', () => {
    const s = new StderrSummary();
    for (let i = 0; i < 3000; i++) s.add(Buffer.from(`[mjpeg @ 0x5] error at MB ${i % 5}\n`));
    s.add(Buffer.from('[mjpeg @ 0x5] last words without newline'));
    const text = s.toString();
    expect(text).toMatch(/^3001 decoder messages, the last: /);
    expect(text.split(' | ')).toHaveLength(3);
    expect(text).toContain('last words without newline');
    expect(new StderrSummary().toString()).toBe('');
  });
});
