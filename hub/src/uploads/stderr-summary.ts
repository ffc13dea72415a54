/**
 * What the upload worker printed (FFmpeg prints a line per damaged frame): how many lines, and the last
 * few different ones, kept as one short sentence for a log line or an error, never copied whole.
 */
export class StderrSummary {
  lines = 0;
  readonly last: string[] = [];
  private rest = '';

  add(chunk: Buffer): void {
    const text = this.rest + chunk.toString('utf8');
    const parts = text.split('\n');
    this.rest = parts.pop()?.slice(-1000) ?? '';
    for (const raw of parts) this.line(raw);
  }

  private line(raw: string): void {
    const line = raw.trim().slice(0, 300);
    if (!line) return;
    this.lines++;
    if (this.last.includes(line)) return;
    this.last.push(line);
    if (this.last.length > 3) this.last.shift();
  }

  /** One sentence for a log line or an error ("312 decoder messages, the last: ..."), or ''. */
  toString(): string {
    if (this.rest.trim()) this.line(this.rest);
    this.rest = '';
    if (this.lines === 0) return '';
    return `${this.lines} decoder message${this.lines === 1 ? '' : 's'}, the last: ${this.last.join(' | ')}`;
  }
}
