// Writes a benchmark's table into docs/benchmarks.md between its `<!-- NAME:start -->` and
// `<!-- NAME:end -->` markers, keeping the hand-written text around them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeBenchTable(root: string, name: string, table: string): void {
  const file = join(root, 'docs', 'benchmarks.md');
  const text = readFileSync(file, 'utf8');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < 0) throw new Error(`${file} has no ${start} ... ${end} markers`);
  writeFileSync(file, `${text.slice(0, i + start.length)}\n${table}\n${text.slice(j)}`);
}
