// MOTChallenge text files: reading ground truth and results, writing tracker output.
//
// MOT15 2D rows are `frame, id, bb_left, bb_top, bb_width, bb_height, conf, x, y, z` with 1-based frames.
// Rows are held column-wise in typed arrays (`MotRows`), in file order.

import { readFile } from 'node:fs/promises';
import type { Tracks } from '../types.ts';

export interface MotRows {
  count: number;
  frame: Int32Array;
  id: Int32Array;
  left: Float64Array;
  top: Float64Array;
  width: Float64Array;
  height: Float64Array;
  /** Column 7: in ground truth 0 marks a row to ignore; in results, the score (often -1). */
  conf: Float64Array;
}

/** The rows whose frame `keep` accepts, in order. */
export function rowsOfFrames(rows: MotRows, keep: (frame: number) => boolean): MotRows {
  const b = new MotRowsBuilder();
  for (let i = 0; i < rows.count; i++) {
    if (!keep(rows.frame[i]!)) continue;
    b.push(
      rows.frame[i]!,
      rows.id[i]!,
      rows.left[i]!,
      rows.top[i]!,
      rows.width[i]!,
      rows.height[i]!,
      rows.conf[i]!,
    );
  }
  return b.rows();
}

/** Appends rows one by one and grows as needed; `rows()` returns a trimmed copy. */
export class MotRowsBuilder {
  private n = 0;
  private frame = new Int32Array(256);
  private id = new Int32Array(256);
  private left = new Float64Array(256);
  private top = new Float64Array(256);
  private width = new Float64Array(256);
  private height = new Float64Array(256);
  private conf = new Float64Array(256);

  get count(): number {
    return this.n;
  }

  push(frame: number, id: number, left: number, top: number, width: number, height: number, conf = 1): void {
    if (this.n === this.frame.length) this.grow();
    const i = this.n++;
    this.frame[i] = frame;
    this.id[i] = id;
    this.left[i] = left;
    this.top[i] = top;
    this.width[i] = width;
    this.height[i] = height;
    this.conf[i] = conf;
  }

  /** Adds one tracker step; frames become 1-based (`frameIndex + 1`) as MOTChallenge expects. */
  pushTracks(tracks: Tracks): void {
    for (let k = 0; k < tracks.count; k++) {
      const b = k * 4;
      const x1 = tracks.boxes[b]!;
      const y1 = tracks.boxes[b + 1]!;
      this.push(
        tracks.frameIndex + 1,
        tracks.ids[k]!,
        x1,
        y1,
        tracks.boxes[b + 2]! - x1,
        tracks.boxes[b + 3]! - y1,
        tracks.scores[k]!,
      );
    }
  }

  rows(): MotRows {
    const n = this.n;
    return {
      count: n,
      frame: this.frame.slice(0, n),
      id: this.id.slice(0, n),
      left: this.left.slice(0, n),
      top: this.top.slice(0, n),
      width: this.width.slice(0, n),
      height: this.height.slice(0, n),
      conf: this.conf.slice(0, n),
    };
  }

  private grow(): void {
    const cap = this.frame.length * 2;
    const f64 = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.frame = i32(this.frame);
    this.id = i32(this.id);
    this.left = f64(this.left);
    this.top = f64(this.top);
    this.width = f64(this.width);
    this.height = f64(this.height);
    this.conf = f64(this.conf);
  }
}

/** Thrown for a malformed MOT file; names the source and the 1-based line. */
export class MotFormatError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${source}, line ${line}: ${reason}`);
    this.name = 'MotFormatError';
  }
}

const FIELD_SEP = /\s*,\s*|\s+/;

/**
 * Parses MOTChallenge text. Accepts LF, CRLF or CR line ends, blank lines, `#` comments, fields split by
 * commas and/or white space, and rows with 6 or more fields (a missing conf column counts as 1). Frames
 * and ids must be integers; every other used field a finite number.
 */
export function parseMot(text: string, source = 'MOT data'): MotRows {
  const b = new MotRowsBuilder();
  const lines = text.split(/\r\n|\r|\n/);
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(FIELD_SEP);
    if (f.length < 6)
      throw new MotFormatError(source, ln + 1, `expected at least 6 fields, found ${f.length}`);
    const v = [0, 0, 0, 0, 0, 0, 1];
    const used = Math.min(f.length, 7);
    for (let k = 0; k < used; k++) {
      const x = Number(f[k]);
      if (f[k] === '' || !Number.isFinite(x)) {
        throw new MotFormatError(source, ln + 1, `field ${k + 1} is not a number: '${f[k]}'`);
      }
      v[k] = x;
    }
    if (!Number.isInteger(v[0]) || !Number.isInteger(v[1])) {
      throw new MotFormatError(source, ln + 1, 'frame and id must be integers');
    }
    b.push(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!, v[6]!);
  }
  return b.rows();
}

/** Reads and parses a MOTChallenge file; errors name the file. */
export async function readMotFile(path: string): Promise<MotRows> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot read MOT file ${path}: ${reason}`);
  }
  return parseMot(text, path);
}

function num(x: number, decimals: number): string {
  const p = 10 ** decimals;
  const r = Math.round(x * p) / p;
  return Object.is(r, -0) ? '0' : String(r);
}

/**
 * One tracker step as MOTChallenge result lines, `frame,id,left,top,w,h,score,-1,-1,-1` with the frame
 * 1-based (`frameIndex + 1`), each line ending in `\n`; an empty string when there are no tracks.
 */
export function formatMotLines(tracks: Tracks): string {
  let s = '';
  const frame = tracks.frameIndex + 1;
  for (let k = 0; k < tracks.count; k++) {
    const b = k * 4;
    const x1 = tracks.boxes[b]!;
    const y1 = tracks.boxes[b + 1]!;
    const w = tracks.boxes[b + 2]! - x1;
    const h = tracks.boxes[b + 3]! - y1;
    s += `${frame},${tracks.ids[k]!},${num(x1, 2)},${num(y1, 2)},${num(w, 2)},${num(h, 2)},${num(tracks.scores[k]!, 4)},-1,-1,-1\n`;
  }
  return s;
}

/** The whole of `rows` as MOTChallenge text (used to save ground truth or results built in memory). */
export function formatMotRows(rows: MotRows): string {
  const out: string[] = [];
  for (let i = 0; i < rows.count; i++) {
    out.push(
      `${rows.frame[i]!},${rows.id[i]!},${num(rows.left[i]!, 2)},${num(rows.top[i]!, 2)},${num(rows.width[i]!, 2)},${num(rows.height[i]!, 2)},${num(rows.conf[i]!, 4)},-1,-1,-1\n`,
    );
  }
  return out.join('');
}
