// The hub's `source-probe` request: before a camera is saved with a video file of this box as its
// source, the box opens the file and decodes its first picture, and says in plain words why it cannot.
import { PROTOCOL_VERSION, type SourceProbeRequest, type SourceProbeResponse } from '@oskartrack/protocol';
import { openSource } from '../source/index.ts';
import { describeFileError } from './camera-retry.ts';

export async function probeFile(request: SourceProbeRequest): Promise<SourceProbeResponse> {
  const base = { v: PROTOCOL_VERSION, id: request.id } as const;
  if (!request.source.startsWith('/'))
    return {
      ...base,
      status: 'error',
      error: 'only a video file on the box (an absolute path) can be probed',
    };
  try {
    // Opening reads the first picture: a file that is not a video, or is damaged at its start, fails here.
    const source = await openSource(request.source, { prefetch: false });
    const { width, height } = source.info;
    await source.close();
    return { ...base, status: 'ok', width, height };
  } catch (error) {
    return { ...base, status: 'error', error: describeFileError(request.source, error).slice(0, 500) };
  }
}
