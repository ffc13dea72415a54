/** A one-line progress bar on stderr when it is a terminal; silent otherwise (logs, CI). */
export interface ProgressBar {
  update(done: number, total: number | undefined): void;
  /** Ends the line, also when the video stopped short of its total (a file cut short). */
  end(): void;
}

export function progressBar(label: string): ProgressBar {
  if (!process.stderr.isTTY) return { update: () => {}, end: () => {} };
  const started = Date.now();
  let open = false;
  return {
    update(done, total) {
      const fps = done / Math.max(0.001, (Date.now() - started) / 1000);
      const width = 30;
      const bar = total
        ? '#'.repeat(Math.round((width * Math.min(done, total)) / total)).padEnd(width, '.')
        : '';
      const count = total ? `${done}/${total}` : `${done}`;
      process.stderr.write(`\r${label} [${bar}] ${count} frames, ${fps.toFixed(1)} frames/s `);
      open = true;
    },
    end() {
      if (open) process.stderr.write('\n');
      open = false;
    },
  };
}
