/**
 * A camera whose source is a video file on its box: before it is saved, the hub asks the box (a real
 * `oskartrack-agent run`, enrolled with a code, over the embedded broker) whether it can read the file,
 * and refuses a file that is not a video or does not exist with the box's reason. A readable file is
 * saved; a box that is not connected cannot be asked, and the camera is saved as before.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { enrollCliBox, runCliBox } from '../support/cli-box.ts';
import { Api, postgresSettings, Resources, startTestHub, tempDir, VIDEO } from '../system/helpers.ts';

const resources = new Resources();
afterEach(() => resources.release());

describe('a video file of a box as a camera source', () => {
  it("is refused with the box's reason when the box cannot read it", async () => {
    const hub = await startTestHub(resources, postgresSettings(resources, tempDir(resources, 'hub')));
    const api = await Api.login(hub.url, hub.admin!.name, hub.admin!.password);
    const store = await api.ok<{ id: string }>('POST', '/api/stores', { name: 'Corner shop' });
    const enrolled = await enrollCliBox(resources, hub.url, api, store.id);
    const { deviceId } = enrolled;
    const notVideo = join(tempDir(resources, 'files'), 'notes.avi');
    writeFileSync(notVideo, 'these are notes, not a video\n'.repeat(50));
    const camera = (source: string) => ({ storeId: store.id, deviceId, name: 'Door', source, fps: 7 });

    // Not connected yet: the box cannot be asked, so the camera is saved (the box reports it later).
    const unasked = await api.ok<{ id: string }>('POST', '/api/cameras', camera(notVideo));
    await api.ok('DELETE', `/api/cameras/${unasked.id}`);

    const box = await runCliBox(resources, api, enrolled);

    const refused = await api.call<{ message: string }>('POST', '/api/cameras', camera(notVideo));
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe(
      `the file ${notVideo} on the box is not a video this box can read (or it is damaged): give the path of a video file the box can read`,
    );
    const missing = await api.call<{ message: string }>('POST', '/api/cameras', camera('/nowhere/door.mp4'));
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/^the file \/nowhere\/door\.mp4 does not exist on the box/);

    const saved = await api.ok<{ id: string; source: string }>('POST', '/api/cameras', camera(VIDEO));
    expect(saved.source).toBe(VIDEO);
    const changed = await api.call<{ message: string }>('PATCH', `/api/cameras/${saved.id}`, {
      source: notVideo,
    });
    expect(changed.status).toBe(400);
    expect((await api.ok<{ source: string }>('GET', `/api/cameras/${saved.id}`)).source).toBe(VIDEO);
    await box.stop();
  }, 300_000);
});
