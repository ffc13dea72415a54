/** A one-line progress bar on stderr when it is a terminal; silent otherwise (logs, CI). */
export function progressBar(label: string): (done: number, total: number | undefined) => void {
  if (!process.stderr.isTTY) return () => {};
  const started = Date.now();
  return (done, total) => {
    const fps = done / Math.max(0.001, (Date.now() - started) / 1000);
    const width = 30;
    const bar = total
      ? '#'.repeat(Math.round((width * Math.min(done, total)) / total)).padEnd(width, '.')
      : '';
    const count = total ? `${done}/${total}` : `${done}`;
    process.stderr.write(`\r${label} [${bar}] ${count} frames, ${fps.toFixed(1)} frames/s `);
    if (total && done >= total) process.stderr.write('\n');
  };
}
