/**
 * The optional language model that writes the summary on top of each report (administrators only).
 * It receives only totals and the names of stores and areas; the key is never shown again.
 */
import { createResource, createSignal, type JSX, Show } from 'solid-js';
import { describeError } from '../../api/client.ts';
import { getReportWriter, setReportWriter } from '../../api/endpoints.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';
import { useAction } from '../use-action.ts';

export function ReportWriterForm(): JSX.Element {
  const { api } = useApp();
  const act = useAction();
  const [loaded, { mutate }] = createResource(() => getReportWriter(api));
  // Read only once loaded: a failed load shows its words below instead of breaking the page.
  const saved = () => (loaded.state === 'ready' ? loaded() : undefined);
  const [enabled, setEnabled] = createSignal<boolean>();
  const [endpoint, setEndpoint] = createSignal<string>();
  const [model, setModel] = createSignal<string>();
  const [key, setKey] = createSignal('');
  const [done, setDone] = createSignal(false);
  const v = {
    enabled: () => enabled() ?? saved()?.enabled ?? false,
    endpoint: () => endpoint() ?? saved()?.endpoint ?? '',
    model: () => model() ?? saved()?.model ?? '',
  };
  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    setDone(false);
    const ok = await act.run(async () =>
      mutate(
        await setReportWriter(api, {
          enabled: v.enabled(),
          endpoint: v.endpoint(),
          model: v.model(),
          ...(key() ? { apiKey: key() } : {}),
        }),
      ),
    );
    if (ok) {
      setKey('');
      setDone(true);
    }
  };
  return (
    <form class="stack narrow" onSubmit={save} data-testid="writer-form">
      <p class="small muted">
        Off: the summary is written by OskarTrack itself from the numbers. On: a language model of your choice
        writes it; it is sent only totals and the names of your stores and areas, never anything about single
        visitors. If it does not answer within 30 seconds, OskarTrack's own summary is used.
      </p>
      <label class="choice" style={{ 'align-items': 'flex-start' }}>
        <input
          type="checkbox"
          style={{ 'min-height': '0', margin: '0.15em 0 0' }}
          data-testid="writer-enabled"
          checked={v.enabled()}
          onChange={(e) => setEnabled(e.currentTarget.checked)}
        />
        <span>Let a language model write the summary</span>
      </label>
      <label>
        <span>Address (OpenAI-compatible)</span>
        <input
          value={v.endpoint()}
          onInput={(e) => setEndpoint(e.currentTarget.value)}
          placeholder="https://api.openai.com/v1"
        />
      </label>
      <label>
        <span>Model</span>
        <input value={v.model()} onInput={(e) => setModel(e.currentTarget.value)} placeholder="gpt-4o-mini" />
      </label>
      <label>
        <span>Key {saved()?.keySet ? '(saved; type a new one to change it)' : ''}</span>
        <input
          type="password"
          value={key()}
          onInput={(e) => setKey(e.currentTarget.value)}
          autocomplete="off"
        />
      </label>
      <div>
        <button type="submit" class="primary" disabled={act.busy()}>
          Save
        </button>
      </div>
      <ErrorNote text={loaded.error ? describeError(loaded.error) : act.error()} />
      <Show when={done()}>
        <p class="note ok" role="status">
          Saved.
        </p>
      </Show>
    </form>
  );
}
