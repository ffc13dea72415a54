// The engine end to end through the commands people run: eval on a slice of PETS09 with a floor on
// accuracy, process with every output, and the errors a user sees for bad input.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { check, TrackingEvent } from '@oskartrack/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { runEval } from '../../src/commands/eval.ts';
import { processRecording, summary } from '../../src/commands/process.ts';
import { loadOpenCV } from '../../src/cv.ts';
import { refusedPort } from '../support/servers.ts';

const shared = join(import.meta.dirname, '..', '..', '..', '..', 'shared');
const video = join(shared, 'data', 'pets09-s2l1', 'vtest.avi');
const gt = join(shared, 'data', 'pets09-s2l1', 'gt.txt');
const model = join(shared, 'models', 'yolox_nano.onnx');
const scene = join(import.meta.dirname, '..', '..', 'bench', 'pets09-scene.json');
const cli = join(import.meta.dirname, '..', '..', 'bin', 'oskartrack-agent.js');
const tmp = mkdtempSync(join(tmpdir(), 'oskartrack-engine-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const exec = promisify(execFile);
async function agentCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, [cli, ...args], { encoding: 'utf8' });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('eval on PETS09', () => {
  it('tracks the first 80 frames with YOLOX well above a floor, and counts like the ground truth', async () => {
    const r = await runEval({ gt, video, detector: 'yolox', model, fps: 7, zones: scene, maxFrames: 80 });
    expect(r.frames).toBe(80);
    expect(r.mota).toBeGreaterThan(60);
    expect(r.idf1).toBeGreaterThan(55);
    expect(r.recall).toBeGreaterThan(65);
    expect(r.fps).toBeGreaterThan(0);
    expect(r.detected_frames).toBe(80);
    expect(r.still_frames).toBe(0);
    expect(r.zones?.length).toBe(9);
    expect(r.lines?.length).toBe(4);
  });

  it('scores an existing result file without running the engine', async () => {
    const r = await runEval({ gt, tracks: gt, detector: 'hog' });
    expect(r.mota).toBeCloseTo(100, 5);
    expect(r.idf1).toBeCloseTo(100, 5);
    expect(r.id_switches).toBe(0);
  });

  it('prints one JSON object as its last line', async () => {
    const r = await agentCli(['eval', '--gt', gt, '--tracks', gt, '--json']);
    expect(r.code).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(Object.keys(last)).toEqual(
      expect.arrayContaining([
        'mota',
        'idf1',
        'hota',
        'precision',
        'recall',
        'id_switches',
        'frames',
        'fps',
        'detector',
      ]),
    );
  });
});

describe('process', () => {
  it('writes events, MOT tracks and an annotated video, and sums up in plain words', async () => {
    const events = join(tmp, 'events.jsonl');
    const tracks = join(tmp, 'tracks.txt');
    const out = join(tmp, 'annotated.mp4');
    const r = await processRecording({
      video,
      zones: scene,
      detector: 'hog',
      fps: 7,
      maxFrames: 30,
      eventsOut: events,
      tracksOut: tracks,
      videoOut: out,
    });
    expect(r.stats.frames).toBe(30);
    const lines = readFileSync(events, 'utf8').trim().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(check(TrackingEvent, JSON.parse(l)).ok).toBe(true);
    // Every person who appeared is closed at the end of the recording.
    const kinds = lines.map((l) => (JSON.parse(l) as TrackingEvent).kind);
    expect(kinds.filter((k) => k === 'track_started').length).toBe(
      kinds.filter((k) => k === 'track_ended').length,
    );
    expect(readFileSync(tracks, 'utf8')).toMatch(/^\d+,\d+,[-\d.]+,[-\d.]+,[\d.]+,[\d.]+,/m);
    expect(statSync(out).size).toBeGreaterThan(10_000);
    const cv = await loadOpenCV();
    const cap = new cv.VideoCapture(out);
    expect(cap.get(cv.CAP_PROP_FRAME_COUNT)).toBe(30);
    cap.release();
    expect(summary(r)).toMatch(/Visitors: \d+[\s\S]*Line "West line": \d+ in, \d+ out[\s\S]*frames\/s/);
    expect(summary(r)).toContain('The detector ran on 30 frames');
    expect(summary(r)).toMatch(/^Frame rate: 7\.0 frames\/s \(given with --fps; the file's header says \d/m);
    const odd = summary({ ...r, fps: 1000, fpsFrom: 'header' });
    expect(odd).toContain("Frame rate: 1000.0 frames/s (from the file's header; give --fps");
    expect(odd).toContain('cameras film at 1 to 120 frames/s');
    expect(summary(r)).not.toContain('cameras film at');
    expect(summary(r)).not.toContain('nobody was found');
    const empty = summary({ ...r, counts: { ...r.counts, tracksStarted: 0 } });
    expect(empty).toContain('Note: nobody was found. If people are in the video');
    expect(empty).toContain('try --detector yolox');
  });

  it('on Ctrl-C finishes its outputs for what was read: every visit closed, the video playable', async () => {
    const events = join(tmp, 'stopped.jsonl');
    const out = join(tmp, 'stopped.mp4');
    const child = spawn(
      process.execPath,
      [cli, 'process', video, '--detector', 'hog', '--events-out', events, '--video-out', out],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    while (!existsSync(events) || statSync(events).size === 0) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).toMatch(/Visitors: \d+[\s\S]*Stopped before the end: these numbers cover the first/);
    const kinds = readFileSync(events, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as TrackingEvent).kind);
    expect(kinds.filter((k) => k === 'track_started').length).toBe(
      kinds.filter((k) => k === 'track_ended').length,
    );
    const cv = await loadOpenCV();
    const cap = new cv.VideoCapture(out);
    expect(cap.get(cv.CAP_PROP_FRAME_COUNT)).toBeGreaterThan(0);
    expect(cap.read().rows).toBeGreaterThan(0);
    cap.release();
  });

  it('names a missing video and the reason', async () => {
    const r = await agentCli(['process', join(tmp, 'nope.avi')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/nope\.avi.*does not exist/);
  });

  it('says at once that a camera address does not answer, rather than waiting for it', async () => {
    const url = `rtsp://127.0.0.1:${await refusedPort()}/stream`;
    const r = await agentCli(['process', url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Camera ${url} cannot be read`);
  });

  it('refuses a corrupt video with a clear error', async () => {
    const bad = join(tmp, 'corrupt.avi');
    writeFileSync(bad, Buffer.alloc(4096, 7));
    const r = await agentCli(['process', bad]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Cannot read video file .*corrupt\.avi/);
  });

  it('refuses a zone file with a self-intersecting or 2-point area, naming both', async () => {
    const zones = join(tmp, 'bad-zones.json');
    writeFileSync(
      zones,
      JSON.stringify({
        zones: [
          {
            name: 'Bow tie',
            polygon: [
              [0, 0],
              [100, 100],
              [100, 0],
              [0, 100],
            ],
          },
          {
            name: 'Two points',
            polygon: [
              [0, 0],
              [10, 10],
            ],
          },
        ],
        lines: [],
      }),
    );
    const r = await agentCli(['process', video, '--zones', zones, '--max-frames', '2']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Bow tie.*cross/);
    expect(r.stderr).toMatch(/Two points.*at least 3 points/);
  });

  it('refuses output paths it cannot write before reading a frame, saying what to give', async () => {
    const missing = join(tmp, 'no-such-folder');
    const cases: [string[], string][] = [
      [
        ['--events-out', join(missing, 'e.jsonl')],
        `cannot write the events to ${join(missing, 'e.jsonl')}: the folder ${missing} does not exist`,
      ],
      [['--tracks-out', tmp], `cannot write the tracks to ${tmp}: that is a folder`],
      [['--video-out', join(missing, 'v.mp4')], 'cannot write the annotated video'],
      [['--video-out', join(tmp, 'v.txt')], 'give a file name ending in .mp4, .avi, .mkv, .mov'],
    ];
    for (const [args, message] of cases) {
      const r = await agentCli(['process', video, '--max-frames', '2', ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/Unhandled|node:events|GStreamer/);
    }
    expect(existsSync(join(tmp, 'v.txt'))).toBe(false);
  });

  it('refuses an output that is the video, the areas file or another output, leaving each file as it was', async () => {
    const copy = join(tmp, 'input.avi');
    const areas = join(tmp, 'areas.json');
    writeFileSync(copy, readFileSync(video).subarray(0, 4096));
    writeFileSync(areas, readFileSync(scene));
    const before = [readFileSync(copy), readFileSync(areas)];
    const cases: [string[], string][] = [
      [
        ['--video-out', copy],
        `cannot write the annotated video to ${copy}: that is also the video being read`,
      ],
      [['--events-out', areas], 'cannot write the events to'],
      [['--tracks-out', join(tmp, '.', 'areas.json')], 'that is also the areas and lines file'],
      [
        ['--events-out', join(tmp, 'e.jsonl'), '--tracks-out', join(tmp, 'e.jsonl')],
        'that is also the events',
      ],
    ];
    for (const [args, message] of cases) {
      const r = await agentCli(['process', copy, '--zones', areas, '--max-frames', '2', ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(message);
    }
    expect([readFileSync(copy), readFileSync(areas)]).toEqual(before);
    expect(existsSync(join(tmp, 'e.jsonl'))).toBe(false);
  });

  it('takes --model for YOLOX and refuses a score that is not one', async () => {
    const yolox = await agentCli(['process', video, '--model', model, '--max-frames', '2']);
    expect(yolox.code).toBe(0);
    expect(yolox.stdout).toContain('with the yolox detector');
    const hog = await agentCli(['process', video, '--detector', 'hog', '--model', model]);
    expect(hog.stderr).toContain('--model is a YOLOX model');
    for (const bad of ['abc', '-1', '2']) {
      const r = await agentCli(['process', video, '--score-threshold', bad]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('must be a score above 0 and at most 1');
    }
  });
});

describe('models pull', () => {
  it('downloads from the given server into the data directory and checks the hash', async () => {
    const body = Buffer.from('not really an onnx file, but bytes all the same');
    const server = createServer((req, res) => {
      if (req.url?.endsWith('/yolox_nano.onnx')) res.end(body);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/release`;
    try {
      const sha = createHash('sha256').update(body).digest('hex');
      const ok = await agentCli([
        'models',
        'pull',
        'yolox-nano',
        '--base-url',
        base,
        '--sha256',
        sha,
        '--data-dir',
        tmp,
      ]);
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(readFileSync(join(tmp, 'models', 'yolox_nano.onnx'))).toEqual(body);
      const wrong = await agentCli(['models', 'pull', 'yolox-tiny', '--base-url', base, '--data-dir', tmp]);
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/404/);
      expect(existsSync(join(tmp, 'models', 'yolox_tiny.onnx'))).toBe(false);
    } finally {
      server.close();
    }
  });
});
