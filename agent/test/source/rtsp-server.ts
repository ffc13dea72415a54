// Starts and controls rtsp-server.py (GStreamer's RTSP server) for the tests: a camera that can be
// killed, started again on the same port, or frozen (SIGSTOP) so its stream stalls without closing.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./rtsp-server.py', import.meta.url));
// Debian's Python: python3-gi is installed for it, not for a python3 of pyenv or a virtualenv on PATH.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export interface RtspServerOptions {
  port?: number;
  codec?: 'h264' | 'jpeg';
  /** An MJPEG AVI to serve instead of the moving test pattern. */
  file?: string;
  size?: string;
  fps?: number;
  user?: string;
  password?: string;
  auth?: 'basic' | 'digest';
}

export interface RtspServer {
  port: number;
  /** rtsp://[user:password@]127.0.0.1:port/stream */
  url(credentials?: { user: string; password: string }): string;
  /** SIGKILL: the camera dies, its connections are reset. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: the connections stay open but nothing is sent or answered. */
  freeze(): void;
  thaw(): void;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

/** Starts the server; resolves once it listens (on a free port unless `port` is given). */
export async function startRtspServer(options: RtspServerOptions = {}): Promise<RtspServer> {
  const args = [SCRIPT, '--port', String(options.port ?? 0), '--codec', options.codec ?? 'h264'];
  if (options.file) args.push('--file', options.file);
  if (options.size) args.push('--size', options.size);
  if (options.fps) args.push('--fps', String(options.fps));
  if (options.user) args.push('--user', options.user, '--password', options.password ?? '');
  if (options.auth) args.push('--auth', options.auth);
  const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(
        new Error(
          `rtsp-server.py exited (${code}) before listening: ${stderr.trim() || 'no message'}. ` +
            'It needs python3-gi, gir1.2-gst-rtsp-server-1.0 and the GStreamer plugins (bash scripts/setup.sh --test)',
        ),
      ),
    );
  });
  return {
    port,
    url: (c) => `rtsp://${c ? `${c.user}:${c.password}@` : ''}127.0.0.1:${port}/stream`,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
      await exited(child);
    },
    freeze: () => child.kill('SIGSTOP'),
    thaw: () => child.kill('SIGCONT'),
  };
}

/** Resolves once `check` returns true; polls (the machine may be busy, so no fixed waits). */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
