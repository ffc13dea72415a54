/**
 * A real box as an installer sets it up: `oskartrack-agent enroll` with a code of the store (its own
 * data folder), then `oskartrack-agent run`, waited for until the hub shows it online.
 */
import {
  AGENT_BIN,
  type Api,
  type Resources,
  runNode,
  spawnNode,
  tempDir,
  waitFor,
} from '../system/helpers.ts';

/** Enrolls a box for `storeId` through the command line; its device id and data folder. */
export async function enrollCliBox(
  resources: Resources,
  hubUrl: string,
  api: Api,
  storeId: string,
): Promise<{ deviceId: string; dir: string }> {
  const { code } = await api.ok<{ code: string }>('POST', `/api/stores/${storeId}/enrollment-codes`, {
    ttlMinutes: 30,
  });
  const dir = tempDir(resources, 'box');
  const enrolled = await runNode(resources, AGENT_BIN, [
    'enroll',
    '--hub',
    hubUrl,
    '--code',
    code,
    '--data-dir',
    dir,
  ]);
  if (enrolled.code !== 0) throw new Error(`enroll failed (${enrolled.code}): ${enrolled.stderr}`);
  const deviceId = /Enrolled as (\S+)\./.exec(enrolled.stdout)?.[1];
  if (!deviceId) throw new Error(`enroll said no device id: ${enrolled.stdout}`);
  return { deviceId, dir };
}

/** Runs the enrolled box until the hub shows it online; `online()` asks the hub again. */
export async function runCliBox(resources: Resources, api: Api, box: { deviceId: string; dir: string }) {
  const running = spawnNode(resources, AGENT_BIN, ['run', '--data-dir', box.dir]);
  const online = async () =>
    (await api.ok<{ online: boolean }>('GET', `/api/devices/${box.deviceId}`)).online;
  await waitFor('the box online', online, 120_000, 500);
  return { stop: () => running.stop(), online };
}
