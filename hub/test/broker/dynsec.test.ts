/**
 * The hub on a shared Mosquitto with dynamic security (a private broker started here): it provisions
 * each enrolled box's account and rules, and no other client of the broker can read a box's config
 * or forge its acks, configs or events; revoked and removed boxes are cut off at once.
 */
import { PROTOCOL_VERSION, topics } from '@oskartrack/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireMosquitto } from '../../../agent/test/support/mosquitto.ts';
import { DynsecClient } from '../../src/broker/dynsec.ts';
import { deviceAcls, deviceRoleName } from '../../src/broker/dynsec-acls.ts';
import { acceptsAnonymous, setUpExternalAccounts } from '../../src/broker/external-accounts.ts';
import { createRepositories } from '../../src/db/repositories/index.ts';
import { type RunningHub, startHub } from '../../src/server.ts';
import { type DynsecMosquitto, startDynsecMosquitto } from '../support/mosquitto-dynsec.ts';
import {
  Api,
  crossing,
  postgresSettings,
  Resources,
  range,
  silent,
  storedSeqs,
  tempDir,
  waitFor,
} from '../system/helpers.ts';
import { closed, connectDevice } from './helpers.ts';

const file = new Resources();
const resources = new Resources();
afterEach(() => resources.release());
afterAll(() => file.release());

interface Box {
  deviceId: string;
  secret: string;
}

let broker: DynsecMosquitto;
let hub: RunningHub;
let api: Api;
let admin: DynsecClient;
let storeId: string;
let settings: ReturnType<typeof postgresSettings>;
/** Two boxes for the tests below (enrollment is rate-limited per address: 10 a minute). */
let a: Enrolled;
let b: Enrolled;
let firstAdmin: { name: string; password: string };
/** The hub's log lines at debug level, as objects. */
const logLines: Record<string, unknown>[] = [];
const hubLog = pino(
  { level: 'debug' },
  { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) },
);

async function serve(): Promise<RunningHub> {
  const running = await startHub({
    settings,
    log: hubLog,
    instanceId: 'hub-east',
    host: '127.0.0.1',
    port: 0,
    mqttPort: 0,
    insecure: true,
    mqttUrl: broker.url,
    mqttUsername: broker.admin.username,
    mqttPassword: broker.admin.password,
  });
  let stopped = false;
  const stop = running.stop.bind(running);
  running.stop = async () => {
    if (stopped) return;
    stopped = true;
    await stop();
  };
  file.add(() => running.stop());
  return running;
}

beforeAll(async () => {
  broker = await startDynsecMosquitto();
  file.add(() => broker.stop());
  settings = postgresSettings(file, tempDir(file, 'dynsec-hub'));
  hub = await serve();
  firstAdmin = hub.admin!;
  api = await Api.login(hub.url, firstAdmin.name, firstAdmin.password);
  storeId = (await api.ok<{ id: string }>('POST', '/api/stores', { name: 'Shared broker shop' })).id;
  admin = await DynsecClient.connect({ url: broker.url, ...broker.admin });
  file.add(() => admin.close());
  a = await enroll('Till');
  b = await enroll('Back');
}, 60_000);

type Enrolled = Box & { cameraId: string; lineId: string };

async function enroll(name: string): Promise<Enrolled> {
  const { code } = await api.ok<{ code: string }>('POST', `/api/stores/${storeId}/enrollment-codes`);
  const box = await new Api(hub.url).ok<Box>('POST', '/api/enroll', { code, name });
  const cameraId = (
    await api.ok<{ id: string }>('POST', '/api/cameras', {
      storeId,
      deviceId: box.deviceId,
      name: `${name} door`,
      source: 'rtsp://10.0.0.10/stream',
      frameWidth: 640,
      frameHeight: 480,
    })
  ).id;
  const lineId = (
    await api.ok<{ id: string }>('POST', `/api/cameras/${cameraId}/lines`, {
      name: 'Door',
      start: [0, 240],
      end: [640, 240],
      inSide: 'left',
    })
  ).id;
  return { ...box, cameraId, lineId };
}

/** A box as the agent connects, but MQTT 5 so the broker says why it refuses a publish. */
function connectBox(box: Box): Promise<MqttClient> {
  return connectDevice(broker.url, box.deviceId, box.secret, resources, { protocolVersion: 5 });
}

function batch(cameraId: string, lineId: string, from: number, n: number): string {
  return JSON.stringify({
    v: PROTOCOL_VERSION,
    sentAt: Date.now(),
    floor: from,
    events: range(from, from + n - 1).map((seq) => ({ seq, event: crossing(cameraId, lineId, seq) })),
  });
}

/** The highest `upToSeq` the box has seen on its ack topic (whatever envelope the hub signs it in). */
async function ackWatch(client: MqttClient, deviceId: string): Promise<{ upTo(): number; raw: string[] }> {
  const raw: string[] = [];
  let upTo = 0;
  client.on('message', (topic, payload) => {
    if (topic !== topics.ack(deviceId)) return;
    const text = payload.toString();
    raw.push(text);
    const match = /"upToSeq"\s*:\s*(\d+)/.exec(text.replaceAll('\\"', '"'));
    if (match) upTo = Math.max(upTo, Number(match[1]));
  });
  const [granted] = await client.subscribeAsync(topics.ack(deviceId), { qos: 1 });
  expect(granted?.qos).toBe(1);
  return { upTo: () => upTo, raw };
}

/** The reason code the broker gives a publish (0 accepted, 135 not authorized). */
async function publishCode(client: MqttClient, topic: string, payload: string, retain = false) {
  try {
    const packet = await client.publishAsync(topic, payload, { qos: 1, retain });
    return (packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

async function subscribeCode(client: MqttClient, filter: string): Promise<number> {
  try {
    const [granted] = await client.subscribeAsync(filter, { qos: 1 });
    return granted?.qos ?? -1;
  } catch (error) {
    return (error as { packet?: { granted?: number[] } }).packet?.granted?.[0] ?? -1;
  }
}

async function refusedCode(promise: Promise<MqttClient>): Promise<number> {
  try {
    const client = await promise;
    await client.endAsync(true);
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
  throw new Error('the broker accepted the connection');
}

describe('the hub on a shared Mosquitto with dynamic security', () => {
  it('provisions an enrolled box: it publishes its events and gets acks', async () => {
    const box = a;
    const account = await admin.getClient(box.deviceId);
    expect(account?.clientid).toBe(box.deviceId);
    const client = await connectBox(box);
    const acks = await ackWatch(client, box.deviceId);
    expect(
      await publishCode(client, topics.events(box.deviceId), batch(box.cameraId, box.lineId, 1, 20)),
    ).toBe(0);
    await waitFor('the ack of 20 events', () => acks.upTo() === 20);
    expect(await storedSeqs(hub.db.db, box.deviceId)).toEqual(range(1, 20));
    // Which hub stored them, for an operator running several.
    const stored = logLines.filter((l) => l.msg === 'events stored' && l.deviceId === box.deviceId);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.every((l) => l.hub === 'hub-east')).toBe(true);
    const health = await api.ok<{ broker: { ok: boolean; detail: string } }>('GET', '/api/health');
    expect(health.broker).toMatchObject({ ok: true });
    expect(health.broker.detail).toContain('dynamic security');
  });

  it("another box can not listen to everything, read a box's config, or forge its acks, config or events", async () => {
    const victim = a;
    const thief = b;
    const v = await connectBox(victim);
    const seen: string[] = [];
    v.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
    const acks = await ackWatch(v, victim.deviceId);
    expect(await subscribeCode(v, topics.config(victim.deviceId))).toBe(1);
    await waitFor("the victim's retained config", () =>
      seen.some((s) => s.startsWith(topics.config(victim.deviceId))),
    );

    const t = await connectBox(thief);
    const stolen: string[] = [];
    t.on('message', (topic) => stolen.push(topic));
    expect(await subscribeCode(t, '#')).toBe(135);
    expect(await subscribeCode(t, 'oskartrack/v1/#')).toBe(135);
    expect(await subscribeCode(t, topics.config(victim.deviceId))).toBe(135);
    expect(await subscribeCode(t, topics.ack(victim.deviceId))).toBe(135);

    const forgedAck = JSON.stringify({ v: PROTOCOL_VERSION, upToSeq: 2 ** 53 - 1, at: Date.now() });
    expect(await publishCode(t, topics.ack(victim.deviceId), forgedAck)).toBe(135);
    expect(await publishCode(t, topics.config(victim.deviceId), '{"forged":true}', true)).toBe(135);
    expect(await publishCode(t, topics.hubStatus, '{"forged":true}', true)).toBe(135);
    // 50 fake line crossings for the victim, with its real camera: the broker drops them.
    const fake = batch(victim.cameraId, victim.lineId, 1000, 50);
    expect(await publishCode(t, topics.events(victim.deviceId), fake)).toBe(135);

    // The victim's own events go through after the forgeries: once acknowledged, nothing forged is stored.
    expect(
      await publishCode(v, topics.events(victim.deviceId), batch(victim.cameraId, victim.lineId, 21, 5)),
    ).toBe(0);
    await waitFor('the ack of the real events', () => acks.upTo() === 25);
    expect(await storedSeqs(hub.db.db, victim.deviceId)).toEqual(range(1, 25));
    expect(acks.raw.some((a) => a.includes(String(2 ** 53 - 1)))).toBe(false);
    expect(seen.some((s) => s.includes('forged'))).toBe(false);
    expect(stolen).toEqual([]);
  });

  it('refuses clients without a password, and a box using another box id as client id', async () => {
    const box = a;
    const other = b;
    const anonymous = mqtt.connectAsync(broker.url, {
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    expect(await refusedCode(anonymous)).toBe(135);
    const borrowed = mqtt.connectAsync(broker.url, {
      clientId: box.deviceId,
      username: other.deviceId,
      password: other.secret,
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    expect([134, 135]).toContain(await refusedCode(borrowed));
  });

  it('keeps events of a camera the hub does not know as dead letters, and acknowledges them only then', async () => {
    const box = b;
    const client = await connectBox(box);
    const acks = await ackWatch(client, box.deviceId);
    const stray = batch('cam-left-behind', box.lineId, 1, 7);
    expect(await publishCode(client, topics.events(box.deviceId), stray)).toBe(0);
    await waitFor('the ack of the stray events', () => acks.upTo() === 7);
    const letters = await api.ok<{ deviceId: string; cameraId: string; count: number; lastReason: string }[]>(
      'GET',
      `/api/dead-letters?storeId=${storeId}`,
    );
    expect(letters).toContainEqual(
      expect.objectContaining({
        deviceId: box.deviceId,
        cameraId: 'cam-left-behind',
        count: 7,
        lastReason: 'unknown camera',
      }),
    );
    expect(await storedSeqs(hub.db.db, box.deviceId)).toEqual([]);
  });

  it('cuts a revoked box off within 5 seconds and refuses it afterwards; removing a box deletes its account', async () => {
    const box = await enroll('Revoked');
    const client = await connectBox(box);
    const cut = closed(client);
    const started = performance.now();
    await api.ok('POST', `/api/devices/${box.deviceId}/revoke`);
    await cut;
    const ms = performance.now() - started;
    console.info(`a revoked box was disconnected ${ms.toFixed(0)} ms after the revoke request was sent`);
    expect(ms).toBeLessThan(5000);
    expect(await refusedCode(connectBox(box))).toBe(135);
    expect((await admin.getClient(box.deviceId))?.disabled).toBe(true);

    const gone = await enroll('Removed');
    const goneClient = await connectBox(gone);
    const goneCut = closed(goneClient);
    await api.ok('DELETE', `/api/devices/${gone.deviceId}`);
    await goneCut;
    expect(await admin.getClient(gone.deviceId)).toBeUndefined();
    expect([134, 135]).toContain(await refusedCode(connectBox(gone)));
  });

  it('at start removes the accounts of devices gone from the database, disables revoked ones and gives kept ones new rules', async () => {
    const kept = await enroll('Kept');
    const revoked = await enroll('Revoked at rest');
    const deleted = await enroll('Deleted at rest');
    // Changed behind the hub's back (not through its API), then the hub restarts.
    const repos = createRepositories(hub.db.db);
    await repos.devices.setCredential(revoked.deviceId, null);
    await repos.devices.delete(deleted.deviceId);
    // As a role made by an older hub, before live video: without the rule for its pictures.
    const rolename = deviceRoleName(kept.deviceId);
    const video = deviceAcls(kept.deviceId).find((acl) => acl.topic.includes('/video/'))!;
    await admin.command('removeRoleACL', { rolename, acltype: video.acltype, topic: video.topic });
    expect((await admin.getRole(rolename))?.acls.some((acl) => acl.topic === video.topic)).toBe(false);
    await hub.stop();
    hub = await serve();
    api = await Api.login(hub.url, firstAdmin.name, firstAdmin.password);
    expect((await admin.getClient(revoked.deviceId))?.disabled).toBe(true);
    expect(await admin.getClient(deleted.deviceId)).toBeUndefined();
    expect((await admin.getClient(kept.deviceId))?.disabled).toBeFalsy();
    expect((await admin.getRole(rolename))?.acls.some((acl) => acl.topic === video.topic)).toBe(true);
    const client = await connectBox(kept);
    expect(client.connected).toBe(true);
  });
});

describe('the hub warns about a broker it can not secure', () => {
  it('tells a broker that accepts clients without a password from one that does not', async () => {
    const open = await requireMosquitto();
    expect(await acceptsAnonymous(open)).toBe(true);
    expect(await acceptsAnonymous(broker.url)).toBe(false);
    const setup = await setUpExternalAccounts({ url: open, log: silent, knownDevices: async () => [] });
    resources.add(() => setup.close());
    expect(setup.warnings.join(' ')).toContain('accepts clients without a password');
    expect(setup.warnings.join(' ')).toContain('no --mqtt-username');
    expect(setup.accounts.health()).toMatchObject({ ok: false });
  });

  it('an account that may not use dynamic security', async () => {
    const plain = `plain-${process.pid}`;
    await admin.command('createClient', { username: plain, password: 'plain-password-1' });
    resources.add(() => admin.commandIgnoring('deleteClient', { username: plain }, ['not found']));
    const setup = await setUpExternalAccounts({
      url: broker.url,
      username: plain,
      password: 'plain-password-1',
      log: silent,
      knownDevices: async () => [],
    });
    resources.add(() => setup.close());
    expect(setup.accounts.health()).toMatchObject({ ok: false });
    expect(setup.accounts.health().detail).toContain('can not manage box accounts');
    // It was given an admin account: no box is enrolled without its broker account.
    await expect(setup.accounts.provision('box-without-account', 'secret-1')).rejects.toThrow(
      "can not create the box's account on the MQTT broker yet",
    );
    expect(await admin.getClient('box-without-account')).toBeUndefined();
  });
});
