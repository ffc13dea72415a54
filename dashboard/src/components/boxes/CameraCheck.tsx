/**
 * The installer's camera check on the dashboard: a button that has the camera's box run about a minute
 * of its video through the detectors, and the verdict in plain words (person size, people found,
 * speed, the detector to use, what to change). Installer page: technical words are fine.
 */
import type { CameraCheck, CheckRun } from '@oskartrack/protocol';
import { createSignal, For, type JSX, Show } from 'solid-js';
import { ErrorNote } from '../Common.tsx';
import { useAction } from '../use-action.ts';

const pct = (share: number) => `${Math.round(share * 100)} %`;
const detectorName = (d: CheckRun['detector']) => (d === 'yolox' ? 'YOLOX' : 'HOG');
const VERDICT = { good: 'Counts well', fair: 'Counts, with changes', poor: 'Will not count well yet' };

/** The settings to make: the detector, and every Nth picture left automatic (the box keeps up itself). */
function settings(c: CameraCheck): string {
  return `${detectorName(c.recommended.detector)}, "Look for people in every Nth picture" on Automatic`;
}

/** One check's result. */
export function CameraCheckResult(props: { check: CameraCheck }): JSX.Element {
  const c = () => props.check;
  const h = () => c().personHeight;
  return (
    <div class="camera-check" data-testid="camera-check" data-verdict={c().verdict}>
      <p>
        <strong data-testid="camera-check-verdict">{VERDICT[c().verdict]}</strong>: {c().summary}
      </p>
      <ul class="small">
        <li data-testid="camera-check-height">
          {h()
            ? `People are typically ${Math.round(h()!.median)} px tall (most between ${Math.round(h()!.p10)} and ${Math.round(h()!.p90)} px).`
            : 'No person could be measured.'}
        </li>
        <For each={c().runs}>
          {(r) => (
            <li>
              {detectorName(r.detector)} {r.configured ? '(set now)' : '(tried on a sample)'}: people in{' '}
              {pct(r.peopleShare)} of the frames, {r.fps.toFixed(1)} frames/s on this box.
            </li>
          )}
        </For>
        <li>
          Picture: brightness {Math.round(c().brightness)} of 255, {c().width}×{c().height} at {c().cameraFps}{' '}
          frames/s; {c().seconds.toFixed(0)} s looked at.
        </li>
        <Show when={c().cameraFpsFrom}>
          <li data-testid="camera-check-frame-rate">Frame rate: {c().cameraFpsFrom}</li>
        </Show>
        <li data-testid="camera-check-recommended">
          Recommended: {settings(c())} ({c().recommended.reason}).
        </li>
      </ul>
      <Show when={c().warnings.length > 0}>
        <h4>What to change</h4>
        <ul data-testid="camera-check-warnings">
          <For each={c().warnings}>{(w) => <li data-code={w.code}>{w.message}</li>}</For>
        </ul>
      </Show>
    </div>
  );
}

/** The button and the last result; `run` asks the hub (checkCamera in api/endpoints.ts). */
export function CameraCheckPanel(props: { run: () => Promise<CameraCheck> }): JSX.Element {
  const act = useAction();
  const [check, setCheck] = createSignal<CameraCheck | null>(null);
  const start = () => act.run(async () => setCheck(await props.run()));
  return (
    <section class="camera-check-panel">
      <p class="small">
        Runs about a minute of this camera's video through the detectors on its box and says whether the view
        will count well. The box keeps counting meanwhile, a little slower.
      </p>
      <button type="button" data-testid="camera-check-run" disabled={act.busy()} onClick={() => void start()}>
        {act.busy() ? 'Checking the camera… (about a minute)' : 'Check this camera'}
      </button>
      <ErrorNote text={act.error()} onRetry={() => void start()} />
      <Show when={check()}>{(c) => <CameraCheckResult check={c()} />}</Show>
    </section>
  );
}
