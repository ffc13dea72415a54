// The hub's `camera-check` request on a running box: one check at a time, on a camera of the box's
// configuration, answered with the check or with what went wrong.
import {
  type CameraCheckRequest,
  type CameraCheckResponse,
  type CameraConfig,
  CHECK_DEFAULT_SECONDS,
  type DeviceConfig,
  PROTOCOL_VERSION,
} from '@oskartrack/protocol';
import { maskCredentials } from '../source/index.ts';
import { runCheck } from './check.ts';
import { DASHBOARD_WORDS } from './frame-rate.ts';

export class BoxChecks {
  private running = false;

  constructor(
    private readonly dataDir: string,
    /** The camera with the configuration it is in; may wait for a configuration being applied. */
    private readonly cameraOf: (
      cameraId: string,
    ) => Promise<{ camera: CameraConfig; config: DeviceConfig } | undefined>,
  ) {}

  async answer(request: CameraCheckRequest): Promise<CameraCheckResponse> {
    const fail = (error: string): CameraCheckResponse => ({
      v: PROTOCOL_VERSION,
      id: request.id,
      status: 'error',
      error: error.slice(0, 500) || 'error',
    });
    if (this.running)
      return fail('a camera check is already running on this box: wait for it to finish, then try again');
    this.running = true;
    try {
      const found = await this.cameraOf(request.cameraId);
      if (!found) return fail(`camera ${request.cameraId} is not on this box`);
      const { camera, config } = found;
      const data = await runCheck({
        source: camera.source,
        cameraId: camera.id,
        fps: camera.fps,
        seconds: request.seconds ?? CHECK_DEFAULT_SECONDS,
        detector: config.detector,
        dataDir: this.dataDir,
        rateWords: DASHBOARD_WORDS,
      });
      return { v: PROTOCOL_VERSION, id: request.id, status: 'ok', data };
    } catch (err) {
      // Errors may quote a stream address with its password.
      return fail(`the check failed: ${maskCredentials(err instanceof Error ? err.message : String(err))}`);
    } finally {
      this.running = false;
    }
  }
}
