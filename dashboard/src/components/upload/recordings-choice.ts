/**
 * Whether the numbers count uploaded recordings. The hub leaves them out unless asked
 * (`includeRecordings`); this is the one switch the pages read, kept for the next visit.
 */
import { createSignal } from 'solid-js';

const KEY = 'oskartrack.includeRecordings';

function stored(): boolean {
  try {
    return globalThis.localStorage?.getItem(KEY) === 'true';
  } catch {
    return false;
  }
}

const [includeRecordings, setSignal] = createSignal(stored());

export { includeRecordings };

export function setIncludeRecordings(on: boolean): void {
  setSignal(on);
  try {
    globalThis.localStorage?.setItem(KEY, String(on));
  } catch {
    // Private mode: the choice lasts until the page is closed.
  }
}

/** The query part for the analytics endpoints: present only when recordings are counted. */
export function recordingsQuery(): { includeRecordings?: true } {
  return includeRecordings() ? { includeRecordings: true } : {};
}
