// Live video bandwidth per watched camera on PETS09-S2L1 (vtest.avi, 768x576): every frame encoded as
// the box would send it (scaled to VIDEO_MAX_WIDTH, JPEG at falling qualities until VIDEO_MAX_BYTES
// fits), then the size of the MQTT message (JSON, base64 JPEG) and the bytes per second at VIDEO_FPS.
// Run from the project root:  node --import tsx agent/bench/live-video.ts [--frames 795] [--max-bytes N]
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  outgoing,
  PROTOCOL_VERSION,
  VIDEO_FPS,
  VIDEO_MAX_BYTES,
  VIDEO_MAX_WIDTH,
  type VideoFrame,
} from '@oskartrack/protocol';
import { loadOpenCV } from '../src/cv.ts';
import { DEFAULT_QUALITIES, encodeVideoPicture } from '../src/runtime/video-encode.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '795' },
    video: { type: 'string', default: `${root}../shared/data/pets09-s2l1/vtest.avi` },
    'max-bytes': { type: 'string', default: String(VIDEO_MAX_BYTES) },
    'max-width': { type: 'string', default: String(VIDEO_MAX_WIDTH) },
  },
});
const limits = {
  maxWidth: Number(values['max-width']),
  maxBytes: Number(values['max-bytes']),
  qualities: DEFAULT_QUALITIES,
};

const cv = await loadOpenCV();
const capture = new cv.VideoCapture(values.video);
const jpegBytes: number[] = [];
const messageBytes: number[] = [];
const qualities = new Map<number, number>();
let skipped = 0;
let encodeMs = 0;
let size = '';
for (let i = 0; i < Number(values.frames); i++) {
  const mat = capture.read();
  if (mat.empty) break;
  const t = performance.now();
  const picture = await encodeVideoPicture(mat, limits);
  encodeMs += performance.now() - t;
  if (!picture) skipped++;
  else {
    size = `${picture.width}x${picture.height}`;
    qualities.set(picture.quality, (qualities.get(picture.quality) ?? 0) + 1);
    const frame: VideoFrame = {
      v: PROTOCOL_VERSION,
      cameraId: 'demo-camera',
      at: Date.now(),
      frame: i,
      width: picture.width,
      height: picture.height,
      sourceWidth: mat.cols,
      sourceHeight: mat.rows,
      jpeg: picture.jpeg.toString('base64'),
    };
    jpegBytes.push(picture.jpeg.length);
    messageBytes.push(Buffer.byteLength(outgoing('video', 'demo-box', frame, 'demo-camera').payload));
  }
  mat.release();
}
capture.release();

const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
const pct = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.floor((a.length - 1) * p)]!;
const kb = (n: number) => `${(n / 1000).toFixed(1)} kB`;
const n = jpegBytes.length;
console.log(
  `PETS09-S2L1, ${n + skipped} frames, pictures ${size}, cap ${kb(limits.maxBytes)}, ${VIDEO_FPS} pictures/s`,
);
console.log(
  `JPEG per picture: mean ${kb(mean(jpegBytes))}, p95 ${kb(pct(jpegBytes, 0.95))}, max ${kb(Math.max(...jpegBytes))}`,
);
console.log(
  `MQTT message (JSON, base64) per picture: mean ${kb(mean(messageBytes))}, max ${kb(Math.max(...messageBytes))}`,
);
const perSecond = mean(messageBytes) * VIDEO_FPS;
console.log(
  `per watched camera: ${kb(perSecond)}/s = ${((perSecond * 8) / 1e6).toFixed(2)} Mbit/s (box to hub, and again hub to each watching page)`,
);
console.log(
  `qualities used: ${[...qualities].map(([q, c]) => `${q}: ${c}`).join(', ')}; skipped (over the cap): ${skipped}`,
);
console.log(`encoding: ${(encodeMs / (n + skipped)).toFixed(1)} ms per picture on one core`);
