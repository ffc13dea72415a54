import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDetector } from '../../src/detect/index.ts';
import { DEFAULT_MODEL_BASE_URL, modelPath, type PullProgress, pullModel } from '../../src/detect/models.ts';

const payload = randomBytes(200_000);
const payloadSha = createHash('sha256').update(payload).digest('hex');

describe('pullModel against a local HTTP server', () => {
  let server: Server;
  let baseUrl: string;
  let requests: string[] = [];
  let dataDir: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/rel/yolox_nano.onnx' || req.url === '/rel/yolox_tiny.onnx') {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': payload.length });
        // Several chunks, so progress is reported more than once.
        for (let i = 0; i < payload.length; i += 50_000) res.write(payload.subarray(i, i + 50_000));
        res.end();
        return;
      }
      res.writeHead(404, 'Not Found').end('no such release file');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rel`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    requests = [];
    dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-models-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('downloads into <dataDir>/models/, verifies the SHA-256 and reports progress', async () => {
    const progress: PullProgress[] = [];
    const result = await pullModel('yolox-nano', {
      dataDir,
      baseUrl,
      sha256: payloadSha.toUpperCase(),
      onProgress: (p) => progress.push(p),
    });
    expect(result).toMatchObject({
      name: 'yolox-nano',
      path: join(dataDir, 'models', 'yolox_nano.onnx'),
      url: `${baseUrl}/yolox_nano.onnx`,
      bytes: payload.length,
      sha256: payloadSha,
      downloaded: true,
    });
    expect(readFileSync(result.path).equals(payload)).toBe(true);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual({ receivedBytes: payload.length, totalBytes: payload.length });
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]!.receivedBytes).toBeGreaterThan(progress[i - 1]!.receivedBytes);
    }
    // Only the final file is left: no temporary file.
    expect(readdirSync(join(dataDir, 'models'))).toEqual(['yolox_nano.onnx']);
    expect(modelPath(dataDir, 'yolox-nano')).toBe(result.path);
  });

  it('does not download again when a matching file is present, unless forced', async () => {
    await pullModel('yolox-nano', { dataDir, baseUrl });
    const again = await pullModel('yolox-nano', { dataDir, baseUrl, sha256: payloadSha });
    expect(again.downloaded).toBe(false);
    expect(requests).toHaveLength(1);
    const forced = await pullModel('yolox-nano', { dataDir, baseUrl, force: true });
    expect(forced.downloaded).toBe(true);
    expect(requests).toHaveLength(2);
  });

  it('deletes the download and says so when the hash does not match', async () => {
    const wrong = 'ab'.repeat(32);
    await expect(pullModel('yolox-tiny', { dataDir, baseUrl, sha256: wrong })).rejects.toThrow(
      new RegExp(
        `yolox-tiny.*expected SHA-256: expected ${wrong}, got ${payloadSha}\\. The file was deleted`,
      ),
    );
    expect(existsSync(join(dataDir, 'models', 'yolox_tiny.onnx'))).toBe(false);
    expect(readdirSync(join(dataDir, 'models'))).toEqual([]);
  });

  it('replaces a present file whose hash does not match', async () => {
    const dest = modelPath(dataDir, 'yolox-nano');
    await pullModel('yolox-nano', { dataDir, baseUrl });
    writeFileSync(dest, 'damaged');
    const result = await pullModel('yolox-nano', { dataDir, baseUrl, sha256: payloadSha });
    expect(result.downloaded).toBe(true);
    expect(readFileSync(dest).equals(payload)).toBe(true);
  });

  it('reports an HTTP 404 with the URL, leaving nothing behind', async () => {
    await expect(pullModel('yolox-s', { dataDir, baseUrl })).rejects.toThrow(
      `Download of yolox-s from ${baseUrl}/yolox_s.onnx failed: HTTP 404 Not Found`,
    );
    expect(readdirSync(join(dataDir, 'models'))).toEqual([]);
  });

  it('reports a server that cannot be reached', async () => {
    await expect(pullModel('yolox-nano', { dataDir, baseUrl: 'http://127.0.0.1:9/x' })).rejects.toThrow(
      /Download of yolox-nano from http:\/\/127\.0\.0\.1:9\/x\/yolox_nano\.onnx failed: /,
    );
  });

  it('rejects a malformed hash and an unknown model before any request', async () => {
    await expect(pullModel('yolox-nano', { dataDir, baseUrl, sha256: 'abc' })).rejects.toThrow(
      /Invalid SHA-256/,
    );
    // @ts-expect-error: a name typed on the command line
    await expect(pullModel('yolov8', { dataDir, baseUrl })).rejects.toThrow(/Unknown model "yolov8"/);
    expect(requests).toHaveLength(0);
  });

  it('uses the official release URL by default and an injected fetch', async () => {
    const seen: string[] = [];
    const fakeFetch: typeof fetch = async (input) => {
      seen.push(String(input));
      return new Response(payload, { status: 200, headers: { 'Content-Length': String(payload.length) } });
    };
    const result = await pullModel('yolox-s', { dataDir, fetch: fakeFetch });
    expect(seen).toEqual([`${DEFAULT_MODEL_BASE_URL}/yolox_s.onnx`]);
    expect(seen[0]).toBe(
      'https://github.com/Megvii-BaseDetection/YOLOX/releases/download/0.1.1rc0/yolox_s.onnx',
    );
    expect(result.sha256).toBe(payloadSha);
  });

  it('never downloads implicitly: a detector without its model file fails and asks for models pull', async () => {
    await expect(createDetector({ kind: 'yolox', model: 'yolox-nano', dataDir })).rejects.toThrow(
      /models pull yolox-nano/,
    );
    expect(requests).toHaveLength(0);
    expect(existsSync(join(dataDir, 'models'))).toBe(false);
  });
});
