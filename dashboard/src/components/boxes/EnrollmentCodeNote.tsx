/**
 * A code just made for an installer: the whole command to type on the box (the hub's address and the
 * code), ready to copy, until when it works, and a warning when the address only works on the hub.
 */
import { createSignal, type JSX, Show } from 'solid-js';
import type { NewEnrollmentCode } from '../../api/types.ts';
import { formatDateTime } from '../../lib/format.ts';

export type FreshCode = Pick<
  NewEnrollmentCode,
  'code' | 'expiresAt' | 'command' | 'hubUrl' | 'hubUrlWarning'
>;

/** Copies the element's text: the clipboard where the page may use it, else selecting it and "copy". */
async function copyText(el: HTMLElement): Promise<'copied' | 'selected'> {
  const text = el.textContent ?? '';
  try {
    // Only in a secure context (https, or this machine's own address).
    await navigator.clipboard.writeText(text);
    return 'copied';
  } catch {
    const range = document.createRange();
    range.selectNodeContents(el);
    const sel = window.getSelection();
    sel?.removeAllRanges();
    sel?.addRange(range);
    return document.execCommand('copy') ? 'copied' : 'selected';
  }
}

export function EnrollmentCodeNote(props: { code: FreshCode }): JSX.Element {
  const c = () => props.code;
  const [copied, setCopied] = createSignal<'copied' | 'selected' | ''>('');
  let commandEl: HTMLElement | undefined;
  return (
    <div class="note ok enroll-note" data-testid="enrollment-code">
      <p>
        On the box, type this command (it works once, until {formatDateTime(c().expiresAt)}, and is not shown
        again):
      </p>
      <div class="copy-line">
        <code class="code selectable" data-testid="enroll-command" ref={commandEl}>
          {c().command}
        </code>
        <button
          type="button"
          class="small"
          data-testid="copy-command"
          onClick={async () => commandEl && setCopied(await copyText(commandEl))}
        >
          Copy
        </button>
        <span class="small" role="status" data-testid="copy-state">
          {copied() === 'copied'
            ? 'Copied.'
            : copied() === 'selected'
              ? 'Selected: press Ctrl+C to copy.'
              : ''}
        </span>
      </div>
      <p class="small">
        It tells the box the hub's address (<span class="code">{c().hubUrl}</span>) and the one-time code (
        <span class="code">{c().code}</span>
        {/* Codes with a fifth part carry the fingerprint of the hub's certificate authority. */}
        {c().code.split('-').length > 4
          ? "; its last part is this hub's fingerprint, so the box talks to this hub only"
          : ''}
        ). Type it in the OskarTrack folder on the box; then start counting with{' '}
        <span class="code">npx --no oskartrack-agent run</span>.
      </p>
      <Show when={c().hubUrlWarning}>
        {(w) => (
          <p class="note warn small" data-testid="hub-url-warning">
            {w()[0]?.toUpperCase()}
            {w().slice(1)}.
          </p>
        )}
      </Show>
    </div>
  );
}
