// Opens a frame source from one string: a file path, an rtsp:// / rtsps:// / http(s):// URL, or a
// webcam index ("0").
import { loadOpenCV } from '../cv.ts';
import { FileSource, type FileSourceOptions } from './file.ts';
import { LiveSource, type LiveSourceOptions } from './live.ts';
import type { FrameSource, SourceKind } from './source.ts';

export { DEFAULT_FPS, FileSource, type FileSourceOptions } from './file.ts';
export {
  type BackoffOptions,
  backoffDelay,
  LiveSource,
  type LiveSourceOptions,
  maskCredentials,
  redactUrl,
} from './live.ts';
export {
  type Capture,
  type FrameSource,
  frames,
  type SourceInfo,
  type SourceKind,
  type SourceState,
  type StateChange,
  type StateListener,
} from './source.ts';

export type OpenSourceOptions = FileSourceOptions & Omit<LiveSourceOptions, 'openCapture'>;

/** Which kind of source a spec string names. */
export function sourceKind(spec: string): SourceKind {
  if (/^(rtsps?|https?):\/\//i.test(spec)) return 'stream';
  if (/^\d+$/.test(spec.trim())) return 'webcam';
  return 'file';
}

/**
 * Opens a source. A file is opened and its first frame decoded before this resolves (errors name
 * the file and the reason). A live source resolves at once: if the camera cannot be reached yet, it
 * starts in 'reconnecting' and `read()` waits for it (or rejects once `maxAttempts` are used up).
 */
export async function openSource(spec: string, options: OpenSourceOptions = {}): Promise<FrameSource> {
  const cv = await loadOpenCV();
  const kind = sourceKind(spec);
  if (kind === 'file') return FileSource.open(cv, spec, options);
  const { openCapture: _ignored, ...live } = options;
  const target = kind === 'webcam' ? Number.parseInt(spec.trim(), 10) : spec;
  return new LiveSource(cv, kind, target, live);
}
