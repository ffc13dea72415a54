/** A button that downloads one export (CSV or Excel) for the chosen store, camera and days. */
import { createSignal, type JSX, Show } from 'solid-js';
import { describeError } from '../../api/client.ts';
import { saveAsFile } from '../../lib/save-file.ts';
import { useApp } from '../../stores/app.tsx';
import { Icon } from '../Icon.tsx';
import type { NumbersQuery } from './query.ts';

export type ExportFormat = 'csv' | 'xlsx';

/** What the hub is asked: the store, the days, the camera (visits only), recordings when counted. */
function exportQuery(
  q: NumbersQuery,
  withCamera: boolean,
  format: ExportFormat,
  extra?: Record<string, string>,
) {
  return {
    storeId: q.storeId,
    cameraId: withCamera ? (q.cameraId ?? undefined) : undefined,
    from: q.from,
    to: q.to,
    format,
    ...(q.includeRecordings ? { includeRecordings: 'true' } : {}),
    ...extra,
  };
}

export function DownloadButton(props: {
  path: string;
  query: NumbersQuery | null;
  format: ExportFormat;
  /** The visits can be one camera's; the numbers are always the whole store's. */
  withCamera?: boolean;
  extra?: Record<string, string>;
  label: string;
  testId: string;
}): JSX.Element {
  const { api } = useApp();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const go = async () => {
    const q = props.query;
    if (!q) return;
    setBusy(true);
    setError('');
    try {
      const res = await api.request<Response>('GET', props.path, {
        query: exportQuery(q, props.withCamera === true, props.format, props.extra),
        raw: true,
      });
      await saveAsFile(res, `oskartrack.${props.format}`);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" data-testid={props.testId} onClick={go} disabled={busy() || !props.query}>
        <Icon name="download" /> {busy() ? 'Preparing…' : props.label}
      </button>
      <Show when={error()}>
        <span class="small" style={{ color: 'var(--red)' }}>
          {error()}
        </span>
      </Show>
    </>
  );
}
