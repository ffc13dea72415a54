import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatMotLines,
  formatMotRows,
  MotFormatError,
  MotRowsBuilder,
  parseMot,
  readMotFile,
} from '../../src/eval/mot-format.ts';
import type { Tracks } from '../../src/types.ts';

describe('MOTChallenge files', () => {
  it('parses MOT15 rows with CRLF, LF and CR line ends, blank lines and comments', () => {
    const text =
      '1,1,399,182,121,229,1,-1,-1,-1\r\n\r\n# note\n2, 3, 10.5, 20, 30, 40, 0, -1, -1, -1\r3 7 1 2 3 4 0.5\n';
    const rows = parseMot(text);
    expect(rows.count).toBe(3);
    expect(Array.from(rows.frame)).toEqual([1, 2, 3]);
    expect(Array.from(rows.id)).toEqual([1, 3, 7]);
    expect(Array.from(rows.left)).toEqual([399, 10.5, 1]);
    expect(Array.from(rows.height)).toEqual([229, 40, 4]);
    expect(Array.from(rows.conf)).toEqual([1, 0, 0.5]);
  });

  it('treats a missing conf column as 1', () => {
    expect(Array.from(parseMot('1,1,0,0,10,10').conf)).toEqual([1]);
  });

  it('names the source and line of a malformed row', () => {
    expect(() => parseMot('1,1,0,0,10,10,1\n2,1,0,0,10\n', 'gt.txt')).toThrow(
      /gt\.txt, line 2: expected at least 6/,
    );
    expect(() => parseMot('1,1,0,x,10,10,1', 'a.txt')).toThrow(MotFormatError);
    expect(() => parseMot('1.5,1,0,0,10,10,1')).toThrow(/integers/);
  });

  it('reads a file and reports a missing one by name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mot-'));
    const file = join(dir, 'gt.txt');
    writeFileSync(file, '1,1,0,0,10,10,1,-1,-1,-1\r\n');
    expect((await readMotFile(file)).count).toBe(1);
    await expect(readMotFile(join(dir, 'nope.txt'))).rejects.toThrow(/cannot read MOT file .*nope\.txt/);
  });

  it('writes tracker output as 1-based MOT lines that parse back', () => {
    const tracks: Tracks = {
      frameIndex: 0,
      at: 0,
      count: 2,
      ids: Uint32Array.from([4, 9, 99]),
      boxes: Float32Array.from([10, 20, 40, 120, 5.25, 6.5, 15.25, 26.5, 0, 0, 0, 0]),
      scores: Float32Array.from([0.9, 0.75, 0]),
    };
    const text = formatMotLines(tracks);
    expect(text).toBe('1,4,10,20,30,100,0.9,-1,-1,-1\n1,9,5.25,6.5,10,20,0.75,-1,-1,-1\n');
    const back = parseMot(text);
    expect(back.count).toBe(2);
    expect(formatMotLines({ ...tracks, count: 0 })).toBe('');

    const b = new MotRowsBuilder();
    for (let k = 0; k < 200; k++) b.pushTracks({ ...tracks, frameIndex: k });
    const rows = b.rows();
    expect(rows.count).toBe(400);
    expect(rows.frame[399]).toBe(200);
    expect(rows.width[1]).toBe(10);
    expect(formatMotRows(rows).split('\n')[1]).toBe('1,9,5.25,6.5,10,20,0.75,-1,-1,-1');
  });
});
