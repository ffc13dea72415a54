/** A button that downloads one CSV export for the chosen store, camera and days. */
import { createSignal, type JSX, Show } from 'solid-js';
import { describeError } from '../../api/client.ts';
import { useApp } from '../../stores/app.tsx';
import { Icon } from '../Icon.tsx';
import type { NumbersQuery } from './query.ts';

/** Hands the answer to the browser as a download, under the file name the hub gave it. */
async function saveAsFile(res: Response): Promise<void> {
  const name =
    /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'oskartrack.csv';
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // Some browsers start reading the blob only after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function DownloadButton(props: {
  path: string;
  query: NumbersQuery | null;
  extra?: Record<string, string>;
  label: string;
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
        query: {
          storeId: q.storeId,
          cameraId: props.path.includes('visits') ? (q.cameraId ?? undefined) : undefined,
          from: q.from,
          to: q.to,
          ...props.extra,
        },
        raw: true,
      });
      await saveAsFile(res);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" onClick={go} disabled={busy() || !props.query}>
        <Icon name="download" /> {props.label}
      </button>
      <Show when={error()}>
        <span class="small" style={{ color: 'var(--red)' }}>
          {error()}
        </span>
      </Show>
    </>
  );
}
