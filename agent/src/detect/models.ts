// Explicit download of the official YOLOX ONNX release files. Nothing here runs implicitly: only
// `oskartrack-agent models pull NAME` (or a caller of pullModel) downloads anything.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type FileHandle, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export type ModelName = 'yolox-nano' | 'yolox-tiny' | 'yolox-s';

export const MODELS: Readonly<Record<ModelName, { file: string; inputSize: number }>> = {
  'yolox-nano': { file: 'yolox_nano.onnx', inputSize: 416 },
  'yolox-tiny': { file: 'yolox_tiny.onnx', inputSize: 416 },
  'yolox-s': { file: 'yolox_s.onnx', inputSize: 640 },
};

/** Where the YOLOX project publishes its ONNX exports (Apache-2.0). */
export const DEFAULT_MODEL_BASE_URL =
  'https://github.com/Megvii-BaseDetection/YOLOX/releases/download/0.1.1rc0';

/** The known model kept under this file name, if any. */
export function modelNameOfFile(file: string): ModelName | undefined {
  return (Object.keys(MODELS) as ModelName[]).find((name) => MODELS[name].file === file);
}

export function isModelName(name: string): name is ModelName {
  return Object.hasOwn(MODELS, name);
}

/** Path a pulled model lives at: `<dataDir>/models/<file>`. */
export function modelPath(dataDir: string, name: ModelName): string {
  return join(dataDir, 'models', MODELS[name].file);
}

export interface PullProgress {
  receivedBytes: number;
  /** From Content-Length; undefined when the server does not say. */
  totalBytes?: number;
}

export interface PullOptions {
  dataDir: string;
  /** Replaces the release URL (a mirror, or a test server). The file name is appended. */
  baseUrl?: string;
  /** Expected SHA-256 (hex). A mismatch deletes the download and fails. */
  sha256?: string;
  /** Download even when the file is already there (and matches `sha256` if given). */
  force?: boolean;
  fetch?: typeof globalThis.fetch;
  onProgress?: (progress: PullProgress) => void;
  signal?: AbortSignal;
}

export interface PullResult {
  name: ModelName;
  path: string;
  url: string;
  bytes: number;
  sha256: string;
  /** False when a valid file was already present and nothing was fetched. */
  downloaded: boolean;
}

async function sha256File(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** The expected SHA-256 from the options, normalised; throws when it is not 64 hex digits. */
function expectedSha256(options: PullOptions): string | undefined {
  const expected = options.sha256?.trim().toLowerCase();
  if (expected !== undefined && !/^[0-9a-f]{64}$/.test(expected)) {
    throw new Error(`Invalid SHA-256 "${options.sha256}": expected 64 hexadecimal characters`);
  }
  return expected;
}

/** Starts the download; returns the response (ok, with a body) and its Content-Length if given. */
async function startDownload(
  name: ModelName,
  url: string,
  options: PullOptions,
): Promise<{ body: AsyncIterable<Uint8Array>; totalBytes: number | undefined }> {
  const doFetch = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      redirect: 'follow',
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    const cause =
      err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    throw new Error(`Download of ${name} from ${url} failed: ${cause}`);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new Error(
      `Download of ${name} from ${url} failed: HTTP ${response.status} ${response.statusText}`.trim(),
    );
  }
  const lengthHeader = response.headers.get('content-length');
  const totalBytes = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  return { body: response.body as unknown as AsyncIterable<Uint8Array>, totalBytes };
}

/** Writes `body` to `handle` (synced, then closed), hashing it; returns the byte count and the SHA-256 (hex). */
async function writeHashed(
  body: AsyncIterable<Uint8Array>,
  handle: FileHandle,
  totalBytes: number | undefined,
  onProgress: PullOptions['onProgress'],
): Promise<{ received: number; sha256: string }> {
  const hash = createHash('sha256');
  let received = 0;
  try {
    for await (const chunk of body) {
      hash.update(chunk);
      await handle.write(chunk);
      received += chunk.byteLength;
      onProgress?.(
        totalBytes === undefined ? { receivedBytes: received } : { receivedBytes: received, totalBytes },
      );
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { received, sha256: hash.digest('hex') };
}

/**
 * Downloads model `name` into `<dataDir>/models/`: streamed to a temporary file in the same folder,
 * hashed on the way, then renamed into place, so a crash or a bad download never leaves a partial
 * file under the real name.
 */
export async function pullModel(name: ModelName, options: PullOptions): Promise<PullResult> {
  if (!isModelName(name)) {
    throw new Error(`Unknown model "${name}". Known models: ${Object.keys(MODELS).join(', ')}`);
  }
  const expected = expectedSha256(options);
  const { file } = MODELS[name];
  const dir = join(options.dataDir, 'models');
  const dest = join(dir, file);
  const base = (options.baseUrl ?? DEFAULT_MODEL_BASE_URL).replace(/\/+$/, '');
  const url = `${base}/${file}`;

  if (!options.force && existsSync(dest)) {
    const have = await sha256File(dest);
    if (expected === undefined || have === expected) {
      const bytes = (await readFile(dest)).length;
      return { name, path: dest, url, bytes, sha256: have, downloaded: false };
    }
  }

  await mkdir(dir, { recursive: true });
  const { body, totalBytes } = await startDownload(name, url, options);
  const temp = join(dir, `.${file}.${process.pid}.${Date.now()}.part`);
  const handle = await open(temp, 'w');
  try {
    const { received, sha256: actual } = await writeHashed(body, handle, totalBytes, options.onProgress);
    if (totalBytes !== undefined && received !== totalBytes) {
      throw new Error(
        `Download of ${name} from ${url} was cut short: got ${received} of ${totalBytes} bytes`,
      );
    }
    if (expected !== undefined && actual !== expected) {
      throw new Error(
        `Download of ${name} from ${url} does not match the expected SHA-256: expected ${expected}, got ${actual}. The file was deleted.`,
      );
    }
    await rename(temp, dest);
    return { name, path: dest, url, bytes: received, sha256: actual, downloaded: true };
  } catch (err) {
    await rm(temp, { force: true });
    if (err instanceof Error && err.message.startsWith('Download of')) throw err;
    throw new Error(
      `Download of ${name} from ${url} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
