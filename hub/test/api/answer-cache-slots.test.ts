/**
 * The answer cache's single-flight when the leader fails, in the real app (plugins/app/answer-cache.ts
 * with `computeAnswersAtOnce`): nothing is shared, so every follower computes itself, but in a slot
 * like any other miss, so a failed leader of a popular answer never lets all its followers hold every
 * pooled connection at once. Each follower gets its own computation's answer or error.
 *
 * The route's computations are held until the test tells each its outcome; the test waits on events
 * (a follower joined, a computation started), never on time.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerCache, type Stamp, type Turn } from '../../src/api/answer-cache.ts';
import { HttpError } from '../../src/api/errors.ts';
import { BACKENDS } from '../db/backends.ts';
import { DAY0, type Fixture, H, openFixture } from './fixture.ts';

const AT_ONCE = 2;
const FOLLOWERS = 5;
const iso = (ms: number) => new Date(ms).toISOString();

/** Promises that resolve once a condition holds, checked again on every `check`. */
class Watch {
  private readonly waiting: { holds: () => boolean; resolve: () => void }[] = [];

  until(holds: () => boolean): Promise<void> {
    if (holds()) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ holds, resolve }));
  }

  check(): void {
    for (const w of [...this.waiting]) {
      if (!w.holds()) continue;
      this.waiting.splice(this.waiting.indexOf(w), 1);
      w.resolve();
    }
  }
}

/** The real cache, telling the watch of every miss and of every follower its leader let go. */
class WatchedCache extends AnswerCache {
  /** Followers whose leader has answered or given up. */
  woken = 0;

  constructor(private readonly watch: Watch) {
    super();
  }

  override begin(key: string, stamp: Stamp): Turn {
    const turn = super.begin(key, stamp);
    if (!turn.lead) {
      void turn.answer.then(() => {
        this.woken++;
        this.watch.check();
      });
    }
    this.watch.check();
    return turn;
  }
}

/** How a held computation ends: its answer, or this error. */
type Outcome = Error | undefined;

interface Computation {
  caller: string;
  finish(outcome: Outcome): void;
}

/** The test route's computations: each is held until it is told its outcome. */
class Computations {
  readonly started: Computation[] = [];
  running = 0;
  most = 0;

  constructor(private readonly watch: Watch) {}

  async run(caller: string, to: string): Promise<{ to: string; visitors: number; computedFor: string }> {
    this.running++;
    this.most = Math.max(this.most, this.running);
    try {
      const outcome = await new Promise<Outcome>((finish) => {
        this.started.push({ caller, finish });
        this.watch.check();
      });
      if (outcome) throw outcome;
      return { to, visitors: 7, computedFor: caller };
    } finally {
      this.running--;
    }
  }
}

/** Everything the event loop had queued has run (a request's steps that need no I/O). */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

describe.each(BACKENDS)('answer cache slots on %s', (kind) => {
  const watch = new Watch();
  const cache = new WatchedCache(watch);
  const computations = new Computations(watch);
  let f: Fixture;

  /** A cached answer as the analytics routes have one, computed by `computations`. */
  const route = async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request) => {
      await app.auth.authenticate(request);
    });
    app.get('/test/answer', { config: { answers: 'cached' } }, async (request) => {
      const { to } = request.query as { to: string };
      return computations.run(String(request.headers['x-caller']), to);
    });
  };

  const path = (to: string) => `/test/answer?${new URLSearchParams({ from: iso(DAY0), to })}`;
  const get = (caller: string, to: string) =>
    f.inject(f.tokens.admin, { method: 'GET', url: path(to), headers: { 'x-caller': caller } });

  beforeAll(async () => {
    f = await openFixture(kind, {
      answerCache: cache,
      computeAnswersAtOnce: AT_ONCE,
      extraPlugins: [route],
    });
    // Real HTTP too: only a real client can go away in the middle of a request.
    await f.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await f?.close();
  });

  it("lets a failed leader's followers compute themselves, no more at once than the slots", async () => {
    const to = iso(DAY0 + 24 * H);
    const first = computations.started.length;
    const joined = cache.stats.joined;
    const leader = get('leader', to);
    await watch.until(() => computations.started.length >= first + 1);
    const followers = new Map<string, Promise<LightMyRequestResponse>>(
      Array.from({ length: FOLLOWERS }, (_, i) => [`follower-${i}`, get(`follower-${i}`, to)]),
    );
    await watch.until(() => cache.stats.joined >= joined + FOLLOWERS);
    expect(computations.running).toBe(1);

    // The leader fails: there is nothing to share, and every follower computes itself in a slot.
    computations.started[first]!.finish(new Error('the database went away'));
    const led = await leader;
    expect(led.statusCode).toBe(500);
    await watch.until(() => computations.started.length >= first + 1 + AT_ONCE);
    await settled();
    expect(computations.running).toBe(AT_ONCE);
    expect(computations.started.length).toBe(first + 1 + AT_ONCE);

    // Finished in the order they started, the first with an error of its own: each finished follower
    // hands its slot to the next waiting one.
    const answers = new Map<string, LightMyRequestResponse>();
    for (let i = first + 1; i <= first + FOLLOWERS; i++) {
      await watch.until(() => computations.started.length > i);
      const c = computations.started[i]!;
      c.finish(i === first + 1 ? new HttpError(404, 'no such store') : undefined);
      answers.set(c.caller, await followers.get(c.caller)!);
      await settled();
      expect(computations.running).toBeLessThanOrEqual(AT_ONCE);
    }
    expect(computations.most).toBe(AT_ONCE);
    expect(computations.started.length).toBe(first + 1 + FOLLOWERS);
    expect(computations.running).toBe(0);

    const failed = computations.started[first + 1]!.caller;
    expect(answers.get(failed)?.statusCode).toBe(404);
    expect(answers.get(failed)?.json()).toMatchObject({ statusCode: 404, message: 'no such store' });
    for (const [caller, answer] of answers) {
      if (caller === failed) continue;
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toEqual({ to, visitors: 7, computedFor: caller });
    }
  });

  it('has every slot free again after failed leaders and followers', async () => {
    // Different ranges: different keys, each its own leader. With a slot kept by the requests above,
    // fewer than AT_ONCE of these would start, and the test would wait for ever.
    const first = computations.started.length;
    const tos = Array.from({ length: AT_ONCE }, (_, i) => iso(DAY0 + (i + 2) * 24 * H));
    const pending = tos.map((to) => get(`fresh-${to}`, to));
    await watch.until(() => computations.started.length >= first + AT_ONCE);
    for (const c of computations.started.slice(first)) c.finish(undefined);
    for (const answer of await Promise.all(pending)) expect(answer.statusCode).toBe(200);
  });

  it("keeps an aborted leader's slot until its computation ends, though its followers go at once", async () => {
    const to = iso(DAY0 + 10 * 24 * H);
    const first = computations.started.length;
    const joined = cache.stats.joined;
    const woken = cache.woken;
    const address = f.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
    const gone = new AbortController();
    const leader = fetch(`http://127.0.0.1:${address.port}${path(to)}`, {
      headers: { authorization: `Bearer ${f.tokens.admin}`, 'x-caller': 'leader' },
      signal: gone.signal,
    }).catch(() => undefined);
    await watch.until(() => computations.started.length >= first + 1);
    const other = get('other', iso(DAY0 + 11 * 24 * H));
    await watch.until(() => computations.started.length >= first + 2);
    const followers = [get('follower-0', to), get('follower-1', to)];
    await watch.until(() => cache.stats.joined >= joined + 2);

    // The client goes away: the followers stop waiting for the leader, but its query still runs.
    gone.abort();
    await leader;
    await watch.until(() => cache.woken >= woken + 2);
    await settled();
    expect(computations.running).toBe(AT_ONCE);
    expect(computations.started.length).toBe(first + 2);

    // Its computation ends: its slot goes to the first follower, the other's to the second.
    computations.started[first]!.finish(undefined);
    await watch.until(() => computations.started.length >= first + 3);
    await settled();
    expect(computations.running).toBe(AT_ONCE);
    computations.started[first + 1]!.finish(undefined);
    expect((await other).statusCode).toBe(200);
    await watch.until(() => computations.started.length >= first + 4);
    for (const c of computations.started.slice(first + 2)) c.finish(undefined);
    const answers = await Promise.all(followers);
    expect(answers.map((a) => a.json())).toEqual([
      { to, visitors: 7, computedFor: 'follower-0' },
      { to, visitors: 7, computedFor: 'follower-1' },
    ]);
    expect(computations.most).toBe(AT_ONCE);
  });
});
