// The machine's Mosquitto, used by the external-broker tests of agent and hub.
import { connect as connectTcp } from 'node:net';

export const MOSQUITTO_URL = process.env.TEST_MQTT_URL || 'mqtt://127.0.0.1:1883';

function reachable(target: string): Promise<boolean> {
  const { hostname, port } = new URL(target);
  return new Promise((resolve) => {
    const socket = connectTcp({ host: hostname, port: Number(port || 1883) });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Resolves when Mosquitto answers. The external-broker path is part of the product: no broker here is
 * a failure, not a skip.
 */
export async function requireMosquitto(): Promise<string> {
  if (!(await reachable(MOSQUITTO_URL))) {
    throw new Error(`no MQTT broker at ${MOSQUITTO_URL}: start Mosquitto (bash scripts/services.sh)`);
  }
  return MOSQUITTO_URL;
}
