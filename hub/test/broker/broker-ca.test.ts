/**
 * A shared Mosquitto whose certificate comes from a certificate authority of its own, not the hub's
 * (`serve --mqtt-ca`): the hub connects to it trusting that CA, enrollment hands the CA to the box,
 * and the box, trusting it for MQTT and the hub's CA for HTTPS, gets its event stored. Without the
 * option the hub refuses to start with a sentence that names it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_CA_PEM_CHARS } from '@oskartrack/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { enroll } from '../../../agent/src/commands/enroll.ts';
import { loadBrokerCa } from '../../src/broker/broker-ca.ts';
import { loadOrCreateHubTls } from '../../src/identity/tls.ts';
import { sendOneCrossing } from '../support/enrolled-box.ts';
import { startDynsecMosquitto } from '../support/mosquitto-dynsec.ts';
import { Api, postgresSettings, Resources, startTestHub, storedSeqs, tempDir } from '../system/helpers.ts';

const resources = new Resources();
afterEach(() => resources.release());

/**
 * A Mosquitto on TLS with a certificate from the CA kept in `caDir` (made there when missing: a CA for
 * the broker alone, or the hub's own in its data folder), and that CA in a file as an installer has it.
 */
async function brokerWithOwnCa(caDir = tempDir(resources, 'broker-ca')) {
  const made = await loadOrCreateHubTls({ dataDir: caDir, names: ['127.0.0.1'] });
  const broker = await startDynsecMosquitto({ tls: { cert: made.certChain, key: made.key } });
  resources.add(() => broker.stop());
  const caFile = join(tempDir(resources, 'broker-ca-file'), 'broker-ca.pem');
  writeFileSync(caFile, made.caPem);
  const external = {
    mqttUrl: broker.url,
    mqttUsername: broker.admin.username,
    mqttPassword: broker.admin.password,
  };
  return { caPem: made.caPem, caFile, external };
}

describe('an external broker with a certificate authority of its own', () => {
  it('is trusted by the hub with --mqtt-ca, and by the box through enrollment', async () => {
    const broker = await brokerWithOwnCa();
    const hub = await startTestHub(resources, postgresSettings(resources, tempDir(resources, 'hub')), {
      tls: true,
      external: { ...broker.external, mqttCa: broker.caFile },
    });
    const hubCa = hub.tls!.caPem;
    expect(hubCa).not.toBe(broker.caPem);
    const api = await Api.login(hub.url, hub.admin!.name, hub.admin!.password, hubCa);
    const store = await api.ok<{ id: string }>('POST', '/api/stores', { name: 'Corner shop' });
    const { code } = await api.ok<{ code: string }>('POST', `/api/stores/${store.id}/enrollment-codes`);

    const dir = tempDir(resources, 'box');
    const identity = await enroll({ hub: hub.url, code, dataDir: dir });
    expect(identity.mqttUrl).toBe(broker.external.mqttUrl);
    expect(identity.caPem).toBe(hubCa);
    expect(identity.mqttCaPem).toBe(broker.caPem);

    await sendOneCrossing(resources, api, store.id, identity, dir);
    expect(await storedSeqs(hub.db.db, identity.deviceId)).toEqual([1]);
  }, 120_000);

  it("needs no --mqtt-ca when the hub's own authority issued the broker's certificate", async () => {
    const hubDir = tempDir(resources, 'hub');
    const broker = await brokerWithOwnCa(hubDir);
    const hub = await startTestHub(resources, postgresSettings(resources, hubDir), {
      tls: true,
      external: broker.external,
    });
    expect(hub.tls!.caPem).toBe(broker.caPem);
    const api = await Api.login(hub.url, hub.admin!.name, hub.admin!.password, broker.caPem);
    const store = await api.ok<{ id: string }>('POST', '/api/stores', { name: 'Corner shop' });
    const { code } = await api.ok<{ code: string }>('POST', `/api/stores/${store.id}/enrollment-codes`);
    const dir = tempDir(resources, 'box');
    const identity = await enroll({ hub: hub.url, code, dataDir: dir });
    expect(identity.mqttCaPem).toBeUndefined();
    await sendOneCrossing(resources, api, store.id, identity, dir);
    expect(await storedSeqs(hub.db.db, identity.deviceId)).toEqual([1]);
  }, 120_000);

  it('without --mqtt-ca the hub does not start, says which option is missing, and makes no administrator yet', async () => {
    const broker = await brokerWithOwnCa();
    const settings = postgresSettings(resources, tempDir(resources, 'hub'));
    const start = startTestHub(resources, settings, { tls: true, external: broker.external });
    await expect(start).rejects.toThrow(/does not trust .*--mqtt-ca <file>/);
    // The failed start printed no one-time password: the first administrator is made by the start that works.
    const hub = await startTestHub(resources, settings, {
      tls: true,
      external: { ...broker.external, mqttCa: broker.caFile },
    });
    expect(hub.admin?.name).toBe('admin');
  }, 120_000);

  it('refuses a --mqtt-ca file that holds no certificate, or more than a box keeps', async () => {
    const file = join(tempDir(resources, 'not-ca'), 'ca.pem');
    writeFileSync(file, 'not a certificate\n');
    await expect(loadBrokerCa(file)).rejects.toThrow(`--mqtt-ca ${file} holds no PEM certificate`);
    const { caPem } = await brokerWithOwnCa();
    writeFileSync(file, caPem.repeat(Math.ceil(MAX_CA_PEM_CHARS / caPem.length) + 1));
    await expect(loadBrokerCa(file)).rejects.toThrow(`boxes keep at most ${MAX_CA_PEM_CHARS}`);
  });

  it('refuses --mqtt-ca without an external broker', async () => {
    const { caFile } = await brokerWithOwnCa();
    const start = startTestHub(resources, postgresSettings(resources, tempDir(resources, 'hub')), {
      tls: true,
      external: { mqttCa: caFile },
    });
    await expect(start).rejects.toThrow(/--mqtt-ca names the authority .*--mqtt-url/);
  }, 60_000);
});
