/**
 * Two machines on one host: a "hub" and a "box" network namespace joined by a veth pair, each with its
 * own address on a private /30 (10.213.N.x), so the hub and a box talk over a real link that a test
 * can pull (link down), silence (nft drop: half-open TCP) or slow down (tc tbf).
 *
 * Names carry the test process id (`ot-<pid>-<rand>-hub`, veth `ot<rand>h`), so a later run deletes
 * what a crashed run left behind without touching a live run's namespaces. Everything started in a
 * namespace runs in its own process group and is killed with it on close.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { processAlive } from '../../src/db/lock.ts';

const exec = promisify(execFile);

const PREFIX = 'ot-';
const TOOLS: ReadonlyArray<{ tool: string; args: string[]; pkg: string }> = [
  { tool: 'ip', args: ['-V'], pkg: 'iproute2' },
  { tool: 'tc', args: ['-V'], pkg: 'iproute2' },
  { tool: 'nft', args: ['--version'], pkg: 'nftables' },
];

async function run(cmd: string, args: readonly string[], input?: string): Promise<string> {
  const p = exec(cmd, args, { timeout: 30_000 });
  if (input !== undefined) {
    p.child.stdin?.end(input);
  }
  try {
    return (await p).stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Fails (never skips) when a tool is missing or we may not create namespaces. */
export async function checkTools(): Promise<void> {
  for (const { tool, args, pkg } of TOOLS) {
    try {
      await exec(tool, args, { timeout: 10_000 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'ENOENT'
          ? `the field tests need \`${tool}\`: install the Debian package ${pkg} (bash scripts/setup.sh --test)`
          : `\`${tool}\` does not run: ${(err as Error).message}`,
      );
    }
  }
  if (process.getuid?.() !== 0)
    throw new Error('the field tests create network namespaces: run them as root');
}

async function killInside(ns: string): Promise<void> {
  const pids = (await run('ip', ['netns', 'pids', ns]).catch(() => ''))
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Deletes namespaces a dead test process left behind (ours carry the creator's pid). */
export async function removeStale(): Promise<void> {
  const list = await run('ip', ['netns', 'list']);
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = /^ot-(\d+)-[0-9a-f]+-(hub|box)$/.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    await killInside(name);
    await run('ip', ['netns', 'delete', name]).catch(() => undefined);
  }
}

/** A process started in a namespace: its own process group, output kept (last 256 KiB). */
export interface NsProcess {
  proc: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** Sends `signal` to the whole process group. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface Interface {
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
}

export class FieldNet {
  private readonly children = new Set<NsProcess>();
  private closed = false;

  private constructor(
    readonly hubNs: string,
    readonly boxNs: string,
    readonly hubIf: string,
    readonly boxIf: string,
    readonly hubAddr: string,
    readonly boxAddr: string,
  ) {}

  /** Creates both namespaces and the link; on failure, removes whatever it made. */
  static async create(): Promise<FieldNet> {
    await checkTools();
    await removeStale();
    const tag = randomBytes(3).toString('hex');
    const base = randomInt(0, 64) * 4; // a /30 inside 10.213.N.0/24
    const net = `10.213.${randomInt(0, 256)}`;
    const field = new FieldNet(
      `${PREFIX}${process.pid}-${tag}-hub`,
      `${PREFIX}${process.pid}-${tag}-box`,
      `ot${tag}h`,
      `ot${tag}b`,
      `${net}.${base + 1}`,
      `${net}.${base + 2}`,
    );
    try {
      await field.build();
    } catch (err) {
      await field.close();
      throw err;
    }
    return field;
  }

  private async build(): Promise<void> {
    await run('ip', ['netns', 'add', this.hubNs]);
    await run('ip', ['netns', 'add', this.boxNs]);
    await run('ip', [
      '-n',
      this.hubNs,
      'link',
      'add',
      this.hubIf,
      'type',
      'veth',
      'peer',
      'name',
      this.boxIf,
    ]);
    await run('ip', ['-n', this.hubNs, 'link', 'set', this.boxIf, 'netns', this.boxNs]);
    for (const [ns, dev, addr] of [
      [this.hubNs, this.hubIf, this.hubAddr],
      [this.boxNs, this.boxIf, this.boxAddr],
    ] as const) {
      await run('ip', ['-n', ns, 'addr', 'add', `${addr}/30`, 'dev', dev]);
      await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      await run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    }
  }

  /** Runs a command to its end inside a namespace; its standard output. */
  exec(ns: string, cmd: string, args: readonly string[], input?: string): Promise<string> {
    return run('ip', ['netns', 'exec', ns, cmd, ...args], input);
  }

  /** `node [nodeArgs] script args` inside a namespace, as a long-lived child. */
  spawnNode(
    ns: string,
    script: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv = {},
    nodeArgs: readonly string[] = [],
  ): NsProcess {
    if (this.closed) throw new Error('the field network is closed');
    // `ip netns exec` execs the command itself, so the child's pid is node's and its group is ours.
    const proc = spawn('ip', ['netns', 'exec', ns, process.execPath, ...nodeArgs, script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'test', ...env },
    });
    const keep = (s: string) => (s.length > 262_144 ? s.slice(-262_144) : s);
    let out = '';
    let err = '';
    proc.stdout!.on('data', (b: Buffer) => {
      out = keep(out + b.toString());
    });
    proc.stderr!.on('data', (b: Buffer) => {
      err = keep(err + b.toString());
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      proc.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const isAlive = () => proc.exitCode === null && proc.signalCode === null;
    const pid = proc.pid;
    if (pid === undefined) throw new Error(`could not start ${script} in ${ns}`);
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(-pid, sig);
      } catch {
        // the group is gone
      }
    };
    const child: NsProcess = {
      proc,
      pid,
      stdout: () => out,
      stderr: () => err,
      exited,
      alive: isAlive,
      signal,
      async stop(graceMs = 10_000) {
        if (isAlive()) {
          signal('SIGTERM');
          const timer = setTimeout(() => signal('SIGKILL'), graceMs);
          await exited;
          clearTimeout(timer);
        }
        signal('SIGKILL'); // whatever it started in its group
      },
    };
    this.children.add(child);
    void exited.then(() => this.children.delete(child));
    return child;
  }

  /** Pulls the cable at the hub's end: the box's end loses its carrier too. */
  linkDown(): Promise<string> {
    return run('ip', ['-n', this.hubNs, 'link', 'set', this.hubIf, 'down']);
  }

  linkUp(): Promise<string> {
    return run('ip', ['-n', this.hubNs, 'link', 'set', this.hubIf, 'up']);
  }

  private get table(): string {
    return `ot_${this.hubIf}`;
  }

  /** In the hub's namespace, silently drops everything from and to the box: no RST, no ICMP. */
  async blackhole(): Promise<void> {
    const t = this.table;
    await this.exec(
      this.hubNs,
      'nft',
      ['-f', '-'],
      [
        `table inet ${t} {`,
        `  chain input { type filter hook input priority -10; policy accept; ip saddr ${this.boxAddr} drop; }`,
        `  chain output { type filter hook output priority -10; policy accept; ip daddr ${this.boxAddr} drop; }`,
        '}',
        '',
      ].join('\n'),
    );
  }

  async clearBlackhole(): Promise<void> {
    await this.exec(this.hubNs, 'nft', ['delete', 'table', 'inet', this.table]);
  }

  /** Both ends at 256 kbit/s (token bucket; netem is not available). */
  async slow(rate = '256kbit'): Promise<void> {
    for (const [ns, dev] of this.ends()) {
      await run('tc', [
        '-n',
        ns,
        'qdisc',
        'add',
        'dev',
        dev,
        'root',
        'tbf',
        'rate',
        rate,
        'burst',
        '32kbit',
        'latency',
        '400ms',
      ]);
    }
  }

  async fast(): Promise<void> {
    for (const [ns, dev] of this.ends()) await run('tc', ['-n', ns, 'qdisc', 'del', 'dev', dev, 'root']);
  }

  /** Byte and packet counters of an end of the link (`ip -s link`). */
  async counters(end: 'hub' | 'box'): Promise<Interface> {
    const [ns, dev] = end === 'hub' ? [this.hubNs, this.hubIf] : [this.boxNs, this.boxIf];
    const json = JSON.parse(await run('ip', ['-j', '-s', '-n', ns, 'link', 'show', 'dev', dev])) as Array<{
      stats64: {
        rx: { bytes: number; packets: number };
        tx: { bytes: number; packets: number };
      };
    }>;
    const s = json[0]?.stats64;
    if (!s) throw new Error(`no counters for ${dev} in ${ns}`);
    return { rxBytes: s.rx.bytes, txBytes: s.tx.bytes, rxPackets: s.rx.packets, txPackets: s.tx.packets };
  }

  private ends(): Array<[string, string]> {
    return [
      [this.hubNs, this.hubIf],
      [this.boxNs, this.boxIf],
    ];
  }

  /** Stops every child (their process groups), then deletes both namespaces (and so the link). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.children].map((c) => c.stop(3000)));
    for (const ns of [this.hubNs, this.boxNs]) {
      await killInside(ns);
      await run('ip', ['netns', 'delete', ns]).catch(() => undefined);
    }
  }
}
