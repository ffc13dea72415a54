// A box enrolled again while `run` runs: `enroll` writes a new agent.json, and the running agent must
// move to it (its old credential is revoked once the new one connects), or it would retry the old one
// for ever, and a service manager would never restart it (it does not exit).
import type { Logger } from 'pino';
import { type Identity, loadIdentity } from './identity.ts';

export interface IdentityWatch {
  /** Resolves with the new identity once agent.json holds another device id or secret. */
  next: Promise<Identity>;
  stop(): void;
}

/** Looks at agent.json every `intervalMs` (enroll replaces it in one rename, so a read is whole). */
export function watchIdentity(
  dataDir: string,
  current: Identity,
  log: Pick<Logger, 'warn'>,
  intervalMs = 2000,
): IdentityWatch {
  let timer: NodeJS.Timeout | undefined;
  let lastProblem = '';
  const next = new Promise<Identity>((resolve) => {
    timer = setInterval(() => {
      loadIdentity(dataDir).then(
        (found) => {
          lastProblem = '';
          if (found && (found.deviceId !== current.deviceId || found.secret !== current.secret)) {
            clearInterval(timer);
            resolve(found);
          }
        },
        (error: unknown) => {
          // The running identity stays until a good one is there; said once per problem.
          const problem = error instanceof Error ? error.message : String(error);
          if (problem !== lastProblem)
            log.warn({ problem }, 'cannot read agent.json: this box keeps its running identity until it can');
          lastProblem = problem;
        },
      );
    }, intervalMs);
    timer.unref();
  });
  return { next, stop: () => clearInterval(timer) };
}
