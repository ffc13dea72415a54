/**
 * Live: the camera picture with the people tracked right now (boxes and ids), the areas and counting
 * lines, counters since the page opened, and a feed of events. Below: upload a recorded video, watch
 * it being sent and processed, then read what it found.
 */
import {
  createEffect,
  createMemo,
  createResource,
  createSignal,
  For,
  type JSX,
  onCleanup,
  Show,
} from 'solid-js';
import { describeError } from '../api/client.ts';
import { getUpload } from '../api/endpoints.ts';
import type { Summary } from '../api/types.ts';
import { uploadVideo } from '../api/upload.ts';
import { CameraPicture, frameOf } from '../components/CameraPicture.tsx';
import { ErrorNote, PageHeader, PlacePicker, Stat } from '../components/Common.tsx';
import { Icon } from '../components/Icon.tsx';
import { AreasLayer, TracksLayer, useGeometry } from '../components/Scene.tsx';
import { allows } from '../components/Shell.tsx';
import { describeHealth } from '../lib/camera-health.ts';
import {
  eventWords,
  formatBytes,
  formatCount,
  formatDuration,
  formatPercent,
  formatTime,
  presetRange,
  rangeToIso,
  toDateInput,
} from '../lib/format.ts';
import { type JobProgress, jobFailed, jobFinished, jobOf, type LiveEvent } from '../lib/live.ts';
import { useApp } from '../stores/app.tsx';

export default function Live(): JSX.Element {
  const { places, choice, live, session } = useApp();
  live.actions.start();
  const camera = () => places.state.cameras.find((c) => c.id === choice.state.cameraId);
  createEffect(() => {
    const id = choice.state.cameraId;
    if (id) live.actions.watch(id);
  });
  const [geometry] = useGeometry(() => choice.state.cameraId);
  const now = live.state.cameras;
  const current = () => (choice.state.cameraId ? now[choice.state.cameraId] : undefined);
  // Boxes older than a few seconds are stale (the box stopped sending): hide them.
  const [tick, setTick] = createSignal(Date.now());
  const timer = setInterval(() => setTick(Date.now()), 1000);
  onCleanup(() => clearInterval(timer));
  const fresh = () => {
    const c = current();
    return c && tick() - c.receivedAt < 8000 && Date.now() - c.receivedAt < 8000 ? c : undefined;
  };
  const liveFrame = () => {
    const c = current();
    return c?.width && c.height ? { width: c.width, height: c.height } : null;
  };
  const counts = () => (choice.state.cameraId ? live.state.counts[choice.state.cameraId] : undefined);
  // The picture as the box reports it: shown when it is lost, or was lost in the last 24 hours.
  const health = () => {
    const id = choice.state.cameraId;
    const h = id ? live.state.health[id] : undefined;
    if (!h) return undefined;
    const words = describeHealth(camera()?.name ?? h.cameraId, h);
    return words.ok && !words.detail ? undefined : words;
  };
  const events = createMemo(() =>
    live.state.events.filter((e) => e.cameraId === choice.state.cameraId).slice(0, 40),
  );
  const names = createMemo(() => {
    const m = new Map<string, string>();
    for (const z of geometry()?.zones ?? []) m.set(z.id, z.name);
    for (const l of geometry()?.lines ?? []) m.set(l.id, l.name);
    return m;
  });

  return (
    <div class="page">
      <PageHeader title="Live">
        <PlacePicker />
      </PageHeader>
      <div class="grid two">
        <section class="card">
          <div class="card-head">
            <h2>{camera()?.name ?? 'Camera'}</h2>
            <span class="small muted" data-testid="live-state">
              <span class={`dot ${live.state.connection}`} />{' '}
              {live.state.connection === 'open'
                ? fresh()
                  ? `${fresh()!.tracks.length} ${fresh()!.tracks.length === 1 ? 'person' : 'people'} in view`
                  : 'Waiting for the camera…'
                : live.state.connection === 'connecting'
                  ? 'Connecting…'
                  : 'Live view not connected'}
            </span>
          </div>
          <Show when={health()}>
            {(w) => (
              <p class={`note ${w().ok ? '' : 'error'}`} data-testid="camera-health">
                <strong>{w().headline}</strong> {w().detail}
              </p>
            )}
          </Show>
          <Show when={camera()} fallback={<div class="empty">This store has no cameras yet.</div>}>
            <CameraPicture camera={camera()} liveFrame={liveFrame()} testId="live-picture">
              {(frame) => {
                const f = () => frameOf(camera(), frame, liveFrame());
                return (
                  <>
                    <AreasLayer zones={geometry()?.zones ?? []} lines={geometry()?.lines ?? []} />
                    <Show when={fresh()}>
                      {(c) => (
                        <TracksLayer
                          tracks={c().tracks}
                          scaleX={c().width ? f().width / c().width : 1}
                          scaleY={c().height ? f().height / c().height : 1}
                        />
                      )}
                    </Show>
                  </>
                );
              }}
            </CameraPicture>
          </Show>
          <Show when={live.state.notice}>
            <p class="small muted">{live.state.notice}</p>
          </Show>
        </section>
        <section class="card">
          <h2>Since you opened this page</h2>
          <div class="stats">
            <Stat testId="live-appeared" label="People seen" value={formatCount(counts()?.appeared ?? 0)} />
            <Stat label="Walked in" value={formatCount(counts()?.walkedIn ?? 0)} />
            <Stat label="Walked out" value={formatCount(counts()?.walkedOut ?? 0)} />
            <Stat label="Area visits" value={formatCount(counts()?.areaEntries ?? 0)} />
          </div>
          <TodayNumbers />
          <h3>What is happening</h3>
          <ul class="feed" data-testid="event-feed">
            <For
              each={events()}
              fallback={<li class="muted">Nothing yet: events appear here as they happen.</li>}
            >
              {(e) => <FeedItem event={e} names={names()} />}
            </For>
          </ul>
        </section>
      </div>
      <Show when={allows(session.state.user?.role, 'manager')}>
        <UploadCard />
      </Show>
    </div>
  );
}

function FeedItem(props: { event: LiveEvent; names: Map<string, string> }): JSX.Element {
  const e = props.event;
  const place = () => {
    const id = e.zoneId ?? e.lineId;
    return id ? (props.names.get(id) ?? id) : '';
  };
  const detail = () => {
    if (e.kind === 'line_crossed') return `${place()} (${e.direction === 'out' ? 'out' : 'in'})`;
    if (e.kind === 'zone_left' && e.dwellMs !== undefined)
      return `${place()} after ${formatDuration(e.dwellMs)}`;
    if (e.kind === 'visit_closed' && e.durationMs !== undefined)
      return `stayed ${formatDuration(e.durationMs)}`;
    return place();
  };
  return (
    <li data-kind={e.kind}>
      <time>{formatTime(e.at)}</time>
      <span>
        {eventWords(e.kind)} {detail()} <span class="muted">· person {e.trackId ?? '?'}</span>
      </span>
    </li>
  );
}

function TodayNumbers(): JSX.Element {
  const { api, choice } = useApp();
  const [today, { refetch }] = createResource(
    () => choice.state.storeId,
    async (storeId) => {
      const r = rangeToIso(presetRange('today'));
      if ('error' in r) return null;
      return api.get<Summary>('/api/analytics/summary', {
        storeId,
        from: r.from,
        to: r.to,
        cameraId: choice.state.cameraId ?? undefined,
      });
    },
  );
  const poll = setInterval(() => void refetch(), 20_000);
  onCleanup(() => clearInterval(poll));
  return (
    <Show when={today()}>
      {(t) => (
        <p class="small muted">
          Today so far: {formatCount(t().visitors)} visitors, {formatCount(t().entries)} entrances, average
          time spent {formatDuration(t().averageTimeSpentMs)}.
        </p>
      )}
    </Show>
  );
}

/** Upload a recorded video, see it sent and processed, then its results. */
function UploadCard(): JSX.Element {
  const { api, choice, places, live } = useApp();
  const [file, setFile] = createSignal<File | null>(null);
  const [start, setStart] = createSignal(`${toDateInput(new Date())}T09:00`);
  const [sent, setSent] = createSignal<number | null>(null);
  const [jobId, setJobId] = createSignal<string | null>(null);
  const [error, setError] = createSignal('');
  let abort: (() => void) | null = null;
  let poll: ReturnType<typeof setInterval> | undefined;
  onCleanup(() => {
    clearInterval(poll);
    abort?.();
  });
  const job = (): JobProgress | undefined => {
    const id = jobId();
    return id ? live.state.jobs[id] : undefined;
  };
  const cameras = () => places.actions.camerasOf(choice.state.storeId);
  const [cameraId, setCameraId] = createSignal<string>('');
  const target = () => cameraId() || choice.state.cameraId || cameras()[0]?.id || '';

  const pollJob = (id: string) => {
    clearInterval(poll);
    poll = setInterval(async () => {
      try {
        const j = jobOf(await getUpload(api, id));
        live.actions.job(j);
        if (jobFinished(j) || jobFailed(j)) clearInterval(poll);
      } catch (err) {
        setError(describeError(err));
        clearInterval(poll);
      }
    }, 1500);
  };

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const f = file();
    if (!f) return setError('Choose a video file first.');
    if (!target()) return setError('Choose the camera the video was recorded with.');
    const when = new Date(start());
    if (Number.isNaN(when.getTime())) return setError('Enter when the recording started.');
    setError('');
    setJobId(null);
    setSent(0);
    const upload = uploadVideo(api, { file: f, cameraId: target(), startTime: when.toISOString() }, (p) =>
      setSent(p),
    );
    abort = upload.abort;
    try {
      const accepted = await upload.done;
      live.actions.job(jobOf(accepted));
      setJobId(accepted.id);
      live.actions.start();
      pollJob(accepted.id);
    } catch (err) {
      setError(describeError(err));
      setSent(null);
    } finally {
      abort = null;
    }
  };

  return (
    <section class="card" data-testid="upload-card">
      <h2>
        <Icon name="upload" /> Count a recorded video
      </h2>
      <p class="small muted">
        Upload a recording from one of your cameras. The hub counts it the same way as the live picture, using
        the areas and lines of the camera you choose.
      </p>
      <form class="row" onSubmit={submit}>
        <label>
          <span>Video file</span>
          <input
            type="file"
            name="video"
            accept="video/*,.avi,.mp4,.mkv,.mov"
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        </label>
        <label>
          <span>Camera it was recorded with</span>
          <select value={target()} onChange={(e) => setCameraId(e.currentTarget.value)}>
            <For each={cameras()}>{(c) => <option value={c.id}>{c.name}</option>}</For>
          </select>
        </label>
        <label>
          <span>Recording started at</span>
          <input type="datetime-local" value={start()} onInput={(e) => setStart(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary" disabled={sent() !== null && sent()! < 1 && !jobId()}>
          <Icon name="upload" /> Upload
        </button>
      </form>
      <ErrorNote text={error()} />
      <Show when={sent() !== null}>
        <div class="stack" style={{ 'margin-top': '0.75rem', gap: '0.5rem' }}>
          <Progress
            label={`Sending ${file() ? `${file()!.name} (${formatBytes(file()!.size)})` : 'the video'}`}
            value={sent() ?? 0}
            testId="upload-sent"
          />
          <Show when={job()}>
            {(j) => (
              <>
                <Progress
                  label={
                    jobFailed(j())
                      ? 'Processing failed'
                      : jobFinished(j())
                        ? 'Processed'
                        : j().state === 'queued'
                          ? 'Waiting to be processed'
                          : 'Counting people in the video'
                  }
                  value={j().progress}
                  testId="upload-processed"
                />
                <Show when={jobFailed(j())}>
                  <ErrorNote text={j().message ?? 'The video could not be processed.'} />
                </Show>
                <Show when={jobFinished(j())}>
                  <UploadResults job={j()} />
                </Show>
              </>
            )}
          </Show>
        </div>
      </Show>
    </section>
  );
}

function Progress(props: { label: string; value: number; testId: string }): JSX.Element {
  return (
    <div data-testid={props.testId} data-value={props.value.toFixed(3)}>
      <div class="small" style={{ display: 'flex', 'justify-content': 'space-between' }}>
        <span>{props.label}</span>
        <span>{formatPercent(props.value)}</span>
      </div>
      <div
        class="progress"
        role="progressbar"
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow={Math.round(props.value * 100)}
      >
        <div style={{ width: `${Math.round(props.value * 100)}%` }} />
      </div>
    </div>
  );
}

function UploadResults(props: { job: JobProgress }): JSX.Element {
  const s = () => props.job.summary;
  return (
    <div
      class="note ok"
      data-testid="upload-results"
      style={{ 'flex-direction': 'column', 'align-items': 'stretch' }}
    >
      <strong>Done. The results are in the numbers for the time the recording started.</strong>
      <Show when={s()}>
        {(sum) => (
          <>
            <span>
              {formatCount(sum().visitors)} visitors, {formatCount(sum().visits)} visits in{' '}
              {formatDuration(sum().videoSeconds * 1000)} of video.
            </span>
            <Show when={sum().lines.length}>
              <span>
                Lines:{' '}
                {sum()
                  .lines.map((l) => `${l.name} ${l.in} in / ${l.out} out`)
                  .join(', ')}
              </span>
            </Show>
            <Show when={sum().zones.length}>
              <span>
                Areas:{' '}
                {sum()
                  .zones.map((z) => `${z.name} ${z.entries} visits, ${formatDuration(z.dwellMs)} in total`)
                  .join(', ')}
              </span>
            </Show>
          </>
        )}
      </Show>
    </div>
  );
}
