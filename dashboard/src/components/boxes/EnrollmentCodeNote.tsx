/** A code just made for an installer: the code, until when it works, and the command for the box. */
import type { JSX } from 'solid-js';
import { formatDateTime } from '../../lib/format.ts';

export interface FreshCode {
  code: string;
  expiresAt: string;
  command: string;
}

export function EnrollmentCodeNote(props: { code: FreshCode }): JSX.Element {
  const c = () => props.code;
  return (
    <div class="note ok" data-testid="enrollment-code">
      Give the installer this code: <span class="code">{c().code}</span> — it works once, until{' '}
      {formatDateTime(c().expiresAt)}. On the box:{' '}
      <span class="code" data-testid="enroll-command">
        {c().command}
      </span>
      {/* Codes with a fifth part carry the fingerprint of the hub's certificate authority. */}
      {c().code.split('-').length > 4
        ? " (the code's last part is this hub's fingerprint: the box talks to this hub only)"
        : ''}
      . It is not shown again.
    </div>
  );
}
