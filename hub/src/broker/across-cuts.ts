/**
 * A hub step on the broker that the broker may cut short. Mosquitto's dynamic security cuts every
 * session of an account whose roles change, and every hub of a cluster shares one account: a hub that
 * sets up the hub role while another one starts cuts that one's subscribing or announcing. Such a
 * step is tried again once mqtt.js has reconnected; a refusal on a live connection stays an error.
 */
import type { MqttClient } from 'mqtt';

/** How long to wait for the broker to take the hub back after a cut. */
export const RECONNECT_WAIT_MS = 30_000;
/** Cuts survived by one step before it fails. */
const MOST_CUTS = 5;

/** Resolves once the client is connected; rejects after `ms` or when the client is closed. */
export function connectedWithin(client: MqttClient, ms: number): Promise<void> {
  if (client.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      clearTimeout(timer);
      client.removeListener('connect', onConnect);
      client.removeListener('end', onEnd);
      if (error) reject(error);
      else resolve();
    };
    const onConnect = () => settle();
    const onEnd = () => settle(new Error('the hub closed its MQTT connection while starting'));
    const timer = setTimeout(
      () =>
        settle(
          new Error(`the MQTT broker did not take the hub back within ${ms / 1000} s; check that it runs`),
        ),
      ms,
    );
    // A closing hub must not wait for this timer.
    timer.unref();
    client.once('connect', onConnect);
    client.once('end', onEnd);
  });
}

/** Runs `step`, again after each reconnect when the connection was lost under it (not when closing). */
export async function acrossCuts<T>(
  client: MqttClient,
  step: () => Promise<T>,
  waitMs = RECONNECT_WAIT_MS,
): Promise<T> {
  for (let cuts = 0; ; cuts++) {
    try {
      return await step();
    } catch (error) {
      if (client.connected || client.disconnecting || cuts >= MOST_CUTS) throw error;
      await connectedWithin(client, waitMs);
    }
  }
}
