/** "Download Excel" and "Download PDF": the report of the last complete day, week or month, now. */
import type { ReportPeriod } from '@oskartrack/protocol';
import { createSignal, For, type JSX, Show } from 'solid-js';
import { reportPreview } from '../../api/endpoints.ts';
import { saveAsFile } from '../../lib/save-file.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';
import { Icon } from '../Icon.tsx';
import { useAction } from '../use-action.ts';
import { LAST_PERIODS } from './words.ts';

const EVERY_STORE = '*';

export function PreviewDownloads(): JSX.Element {
  const { api, places, session } = useApp();
  const act = useAction();
  const admin = () => session.state.user?.role === 'admin';
  const [store, setStore] = createSignal('');
  const [period, setPeriod] = createSignal<ReportPeriod>('weekly');
  const chosen = () => store() || (places.state.stores[0]?.id ?? '');
  const download = (format: 'xlsx' | 'pdf') =>
    act.run(async () => {
      const res = await reportPreview(api, {
        storeId: chosen() === EVERY_STORE ? undefined : chosen(),
        period: period(),
        format,
      });
      await saveAsFile(res, `report.${format}`);
    });
  return (
    <div class="stack">
      <div class="toolbar">
        <label>
          <span>Store</span>
          <select
            data-testid="preview-store"
            value={chosen()}
            onChange={(e) => setStore(e.currentTarget.value)}
          >
            <For each={places.state.stores}>{(s) => <option value={s.id}>{s.name}</option>}</For>
            <Show when={admin()}>
              <option value={EVERY_STORE}>All stores</option>
            </Show>
          </select>
        </label>
        <label>
          <span>Period</span>
          <select
            data-testid="preview-period"
            value={period()}
            onChange={(e) => setPeriod(e.currentTarget.value as ReportPeriod)}
          >
            <For each={LAST_PERIODS}>{(p) => <option value={p.value}>{p.label}</option>}</For>
          </select>
        </label>
      </div>
      <div class="toolbar">
        <button
          type="button"
          onClick={() => download('xlsx')}
          disabled={act.busy()}
          data-testid="download-xlsx"
        >
          <Icon name="download" /> Download Excel
        </button>
        <button
          type="button"
          onClick={() => download('pdf')}
          disabled={act.busy()}
          data-testid="download-pdf"
        >
          <Icon name="download" /> Download PDF
        </button>
        <Show when={act.busy()}>
          <span class="small muted">Preparing the report…</span>
        </Show>
      </div>
      <ErrorNote text={act.error()} />
    </div>
  );
}
