// Runs `oskartrack-agent eval --json` in a child process (each run's peak memory is its own) and
// returns its report, the JSON object on the last line of its output.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface EvalRun {
  video: string;
  gt: string;
  fps: number;
  zones: string;
  /** Detector flags and any others (e.g. `--max-frames N`). */
  flags: readonly string[];
}

export function runEvalCli<R>(root: string, run: EvalRun): R {
  const args = ['--import', 'tsx', join(root, 'agent/src/cli.ts'), 'eval', '--video', run.video];
  args.push('--gt', run.gt, '--fps', String(run.fps), '--zones', run.zones, '--json', ...run.flags);
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as R;
}
