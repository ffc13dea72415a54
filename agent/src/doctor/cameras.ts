// The cameras of the last configuration the hub sent: a file source must exist on this box and open as
// a video; a network camera must accept a TCP connection; a webcam's device must exist.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { CameraConfig } from '@oskartrack/protocol';
import { hostPort } from '../link/diagnose.ts';
import { describeFileError } from '../runtime/camera-retry.ts';
import { loadConfig } from '../runtime/identity.ts';
import { openSource, redactUrl, sourceKind } from '../source/index.ts';
import { asError, type Check, fail, pass } from './check.ts';
import { resolve, tcpProbe } from './network.ts';

const STREAM_PORTS: Record<string, number> = { 'rtsp:': 554, 'rtsps:': 322, 'http:': 80, 'https:': 443 };

async function checkFile(camera: CameraConfig): Promise<Check> {
  try {
    const source = await openSource(camera.source, { cameraId: camera.id });
    const { width, height, fps } = source.info;
    await source.close();
    return pass(
      `camera ${camera.name}: ${camera.source} opens as a ${width}x${height} video at ${fps} frames/s`,
    );
  } catch (err) {
    return fail(
      `camera ${camera.name}: ${describeFileError(camera.source, err)}`,
      'copy the video to that path on this box (readable by the agent user), or change the camera source on the hub',
    );
  }
}

async function checkStream(camera: CameraConfig, timeoutMs: number): Promise<Check> {
  const shown = redactUrl(camera.source);
  let host: string;
  let port: number;
  try {
    const u = new URL(camera.source);
    host = hostPort(camera.source).host;
    port = u.port ? Number(u.port) : (STREAM_PORTS[u.protocol] ?? 0);
  } catch {
    return fail(
      `camera ${camera.name}: ${shown} is not a valid address`,
      'correct the camera source on the hub',
    );
  }
  try {
    const address = await resolve(host, timeoutMs);
    (await tcpProbe(address, port, timeoutMs)).destroy();
    return pass(`camera ${camera.name}: ${host}:${port} accepts connections`);
  } catch (err) {
    const e = asError(err);
    return fail(
      `camera ${camera.name}: ${host}:${port} cannot be reached (${e.code ?? e.message})`,
      "check the camera's power and network, its address on the hub, and that this box is on the camera's network",
    );
  }
}

async function checkWebcam(camera: CameraConfig): Promise<Check> {
  const device = `/dev/video${camera.source.trim()}`;
  try {
    await access(device, constants.R_OK);
    return pass(`camera ${camera.name}: ${device} present`);
  } catch (err) {
    return fail(
      `camera ${camera.name}: ${device} ${asError(err).code === 'ENOENT' ? 'does not exist' : 'is not readable'}`,
      'plug the webcam in, or add the agent user to the video group (usermod -aG video oskartrack)',
    );
  }
}

export async function checkCameras(dataDir: string, timeoutMs: number): Promise<Check[]> {
  const config = await loadConfig(dataDir);
  if (!config) return [pass('cameras: no configuration from the hub yet (nothing to check)')];
  if (config.cameras.length === 0) return [pass('cameras: none configured on the hub for this box')];
  const checks: Check[] = [];
  for (const camera of config.cameras) {
    const kind = sourceKind(camera.source);
    if (kind === 'file') checks.push(await checkFile(camera));
    else if (kind === 'stream') checks.push(await checkStream(camera, timeoutMs));
    else checks.push(await checkWebcam(camera));
  }
  return checks;
}
