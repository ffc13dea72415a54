// Why `enroll` could not reach the hub, in the words `status` and `doctor` use (link/diagnose.ts),
// with the next step for an installer typing the hub's web address.
import { diagnose } from '../link/diagnose.ts';

const NETWORK = new Set(['dns', 'refused', 'timeout', 'unreachable', 'closed']);

/** "cannot reach the hub at https://...: <what happened>: <what to do>". */
export function unreachableHub(hub: URL, error: unknown): Error {
  const raw = error instanceof Error ? error.message : String(error);
  const problem = diagnose({ message: raw }, { url: hub.href });
  if (!NETWORK.has(problem.kind)) return new Error(`cannot reach the hub at ${hub.origin}: ${raw}`);
  const port = hub.port || (hub.protocol === 'https:' ? '443' : '80');
  const advice =
    problem.kind === 'refused' || problem.kind === 'closed'
      ? `check that --hub is the hub's web address and port (as the dashboard shows it; not its MQTT port), that the hub runs (oskartrack-hub serve --port ${port}), and https or http as the hub serves`
      : problem.advice;
  return new Error(`cannot reach the hub at ${hub.origin}: ${problem.message}: ${advice}`);
}
