// One line of `oskartrack-agent doctor`: what was checked, whether it passed, what to do next.

export interface Check {
  ok: boolean;
  text: string;
  /** The next thing to do, when it failed (or a warning worth acting on). */
  advice?: string;
}

export const pass = (text: string): Check => ({ ok: true, text });
export const fail = (text: string, advice: string): Check => ({ ok: false, text, advice });

/** `OK   text` / `FAIL text` plus an indented `next:` line with the advice. */
export function formatChecks(checks: Check[]): string {
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${c.ok ? 'OK  ' : 'FAIL'} ${c.text}`);
    if (c.advice) lines.push(`     next: ${c.advice}`);
  }
  return lines.join('\n');
}

/** Rejects after `ms` with an ETIMEDOUT error naming what took too long. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const error: NodeJS.ErrnoException = new Error(`${what} timed out after ${ms / 1000} s`);
      error.code = 'ETIMEDOUT';
      reject(error);
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export function asError(err: unknown): NodeJS.ErrnoException {
  return err instanceof Error ? err : new Error(String(err));
}
