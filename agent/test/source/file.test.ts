import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOpenCV } from '../../src/cv.ts';
import { FileSource } from '../../src/source/file.ts';
import { frames, openSource, sourceKind } from '../../src/source/index.ts';
import type { StateChange } from '../../src/source/source.ts';
import { VIDEO } from '../detect/pets.ts';

describe('file source on vtest.avi', () => {
  it('decodes all 795 frames with indexes and timestamps at the overridden 7 fps', async () => {
    const start = Date.UTC(2025, 0, 1, 9, 0, 0);
    const source = await openSource(VIDEO, { fps: 7, startTime: start, cameraId: 'entrance' });
    expect(source.info).toEqual({
      kind: 'file',
      uri: VIDEO,
      width: 768,
      height: 576,
      fps: 7,
      fpsFrom: 'override',
      headerFps: 10,
      frameCount: 795,
    });
    const changes: StateChange[] = [];
    source.onState((c) => changes.push(c));
    let n = 0;
    for await (const frame of frames(source)) {
      expect(frame.index).toBe(n);
      expect(frame.at).toBeCloseTo(start + (n * 1000) / 7, 6);
      if (n === 0 || n === 794) {
        expect(frame.cameraId).toBe('entrance');
        expect([frame.width, frame.height, frame.mat.cols, frame.mat.rows]).toEqual([768, 576, 768, 576]);
        expect(frame.mat.channels).toBe(3);
      }
      n++;
    }
    expect(n).toBe(795);
    expect(changes.map((c) => c.state)).toEqual(['running', 'stopped']);
    expect(await source.read()).toBeNull();
    await source.close();
  });

  it('uses the header rate (10 fps for vtest.avi) when not overridden', async () => {
    const source = await openSource(VIDEO, { startTime: 0 });
    expect(source.info.fps).toBe(10);
    expect(source.info.fpsFrom).toBe('header');
    await source.read();
    const second = await source.read();
    expect(second?.at).toBe(100);
    await source.close();
    expect(source.state).toBe('stopped');
    expect(await source.read()).toBeNull();
  });

  it('releases the previous frame on the next read, unless keepFrames is set', async () => {
    const source = await openSource(VIDEO);
    const a = await source.read();
    await source.read();
    expect(Boolean(a?.mat.empty)).toBe(true);
    await source.close();
    const keeping = await openSource(VIDEO, { keepFrames: true });
    const b = await keeping.read();
    await keeping.read();
    expect(Boolean(b?.mat.empty)).toBe(false);
    b?.mat.release();
    await keeping.close();
  });

  it('keeps the last n frames alive with keepLast(n), releasing the one n reads back', async () => {
    const source = await openSource(VIDEO);
    source.keepLast(2);
    const a = await source.read();
    const b = await source.read();
    expect(Boolean(a?.mat.empty)).toBe(false);
    await source.read();
    expect(Boolean(a?.mat.empty)).toBe(true);
    expect(Boolean(b?.mat.empty)).toBe(false);
    await source.close();
    expect(Boolean(b?.mat.empty)).toBe(true);
  });

  it('loops past the end with growing indexes and timestamps', async () => {
    const source = await openSource(VIDEO, { fps: 7, startTime: 0, loop: true });
    let last = -1;
    for (let i = 0; i < 800; i++) {
      const frame = await source.read();
      expect(frame).not.toBeNull();
      last = frame!.index;
    }
    expect(last).toBe(799);
    await source.close();
  });

  it('paces frames in real time when asked', async () => {
    const source = await openSource(VIDEO, { fps: 40, realtime: true, loop: true });
    const t0 = performance.now();
    for (let i = 0; i < 9; i++) await source.read();
    // Frame 8 is due 8 x 25 ms = 200 ms after frame 0.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
    await source.close();
  });
});

describe('file source errors name the file and the reason', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'oskartrack-source-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('missing file', async () => {
    const path = join(dir, 'missing.avi');
    await expect(openSource(path)).rejects.toThrow(
      `Cannot read video file "${path}": the file does not exist`,
    );
  });

  it('corrupt file (garbage bytes in an .avi)', async () => {
    const path = join(dir, 'corrupt.avi');
    const garbage = Buffer.alloc(64 * 1024);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 251;
    writeFileSync(path, garbage);
    await expect(openSource(path)).rejects.toThrow(
      /Cannot read video file ".*corrupt\.avi": (OpenCV could not open it as a video|no frame could be decoded)/,
    );
  });

  it('an AVI header followed by garbage', async () => {
    const path = join(dir, 'truncated.avi');
    const { readFileSync } = await import('node:fs');
    const head = readFileSync(VIDEO).subarray(0, 2048);
    writeFileSync(path, Buffer.concat([head, Buffer.alloc(4096, 0x5a)]));
    await expect(openSource(path)).rejects.toThrow(/Cannot read video file ".*truncated\.avi": /);
  });

  // (A plain text file is no good example: FFmpeg's "tty" demuxer renders text as video.)
  it('empty file and directory', async () => {
    const empty = join(dir, 'empty.avi');
    writeFileSync(empty, '');
    await expect(openSource(empty)).rejects.toThrow(/empty\.avi": the file is empty/);
    const folder = join(dir, 'folder.avi');
    mkdirSync(folder);
    await expect(openSource(folder)).rejects.toThrow(/folder\.avi": it is a directory/);
  });

  it('an invalid fps override', async () => {
    await expect(openSource(VIDEO, { fps: 0 })).rejects.toThrow(/Invalid frame rate 0/);
  });

  it('a capture that cannot be opened (injected)', async () => {
    const cv = await loadOpenCV();
    await expect(
      FileSource.open(cv, VIDEO, {
        openCapture: () => {
          throw new Error('VideoCapture::New - failed to open capture');
        },
      }),
    ).rejects.toThrow(/OpenCV could not open it as a video.*failed to open capture/);
  });
});

describe('sourceKind', () => {
  it.each([
    ['rtsp://cam.local:554/stream1', 'stream'],
    ['RTSPS://cam/x', 'stream'],
    ['http://10.0.0.5/video.mjpg', 'stream'],
    ['https://example.com/live.m3u8', 'stream'],
    ['0', 'webcam'],
    ['12', 'webcam'],
    ['/data/clip.mp4', 'file'],
    ['clip0.avi', 'file'],
    ['./0', 'file'],
  ])('%s is a %s', (spec, kind) => {
    expect(sourceKind(spec)).toBe(kind);
  });
});
