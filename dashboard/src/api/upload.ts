/**
 * Sends a recorded video to `POST /api/uploads` with the transfer's progress (fetch cannot report
 * upload progress; XMLHttpRequest can). Fields go before the file so the hub can refuse early.
 */
import { UploadJob } from '@oskartrack/protocol';
import { type ApiClient, ApiError, expectBody, sentence, statusMessage } from './client.ts';

export interface UploadForm {
  file: File;
  cameraId: string;
  /** ISO 8601 time of the first frame; left out: the hub takes the recording to end now. */
  startTime?: string | undefined;
  fps?: number | undefined;
}

export function uploadVideo(
  api: ApiClient,
  form: UploadForm,
  onProgress: (fraction: number) => void,
): { done: Promise<UploadJob>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const done = (async () => {
    const token = await api.token();
    if (!token) throw new ApiError(401, 'Please sign in again.');
    const body = new FormData();
    body.append('cameraId', form.cameraId);
    if (form.startTime) body.append('startTime', form.startTime);
    if (form.fps) body.append('fps', String(form.fps));
    body.append('file', form.file, form.file.name);
    return new Promise<UploadJob>((resolve, reject) => {
      xhr.open('POST', '/api/uploads');
      xhr.setRequestHeader('authorization', `Bearer ${token}`);
      xhr.responseType = 'text';
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) onProgress(e.loaded / Math.max(1, e.total));
      };
      xhr.onerror = () => reject(new ApiError(0, 'The upload stopped: the hub could not be reached.'));
      xhr.onabort = () => reject(new ApiError(0, 'The upload was cancelled.'));
      xhr.onload = () => {
        let parsed: Record<string, unknown> = {};
        try {
          parsed = JSON.parse(xhr.responseText || '{}') as Record<string, unknown>;
        } catch {
          // Not JSON: the status alone explains it below.
        }
        if (xhr.status >= 200 && xhr.status < 300) {
          onProgress(1);
          try {
            resolve(expectBody(UploadJob, parsed, 'the upload', xhr.status));
          } catch (err) {
            reject(err);
          }
          return;
        }
        const message = typeof parsed.message === 'string' ? parsed.message : statusMessage(xhr.status);
        if (xhr.status === 404 && typeof parsed.message !== 'string') {
          reject(new ApiError(404, 'This hub does not accept uploads yet.'));
          return;
        }
        reject(new ApiError(xhr.status, sentence(message)));
      };
      xhr.send(body);
    });
  })();
  return { done, abort: () => xhr.abort() };
}
