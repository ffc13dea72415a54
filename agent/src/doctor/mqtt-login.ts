// An MQTT CONNECT with the box's own credentials: the broker's CONNACK says whether the hub still
// knows this box (a revoked or deleted box is refused).
import mqtt from 'mqtt';
import { diagnose } from '../link/diagnose.ts';
import { asError, type Check, fail, pass } from './check.ts';

export interface LoginOptions {
  url: string;
  deviceId: string;
  secret: string;
  caPem?: string;
  timeoutMs: number;
}

function login(opts: LoginOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(opts.url, {
      clientId: opts.deviceId,
      username: opts.deviceId,
      password: opts.secret,
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: opts.timeoutMs,
      ...(opts.caPem ? { ca: opts.caPem } : {}),
    });
    const finish = (error?: Error) => {
      client.removeAllListeners();
      client.on('error', () => {});
      client.end(true);
      if (error) reject(error);
      else resolve();
    };
    client.once('connect', () => finish());
    client.once('error', (error) => finish(error));
    client.once('close', () =>
      finish(new Error('the broker closed the connection before answering (ECONNRESET)')),
    );
  });
}

/** One line: the login worked, or why the broker refused it. */
export async function checkMqttLogin(opts: LoginOptions): Promise<Check> {
  try {
    await login(opts);
    return pass(`MQTT login as ${opts.deviceId} accepted`);
  } catch (err) {
    const e = asError(err);
    const problem = diagnose(
      { message: e.message, ...(e.code !== undefined ? { code: e.code } : {}) },
      { url: opts.url, pinnedCa: opts.caPem !== undefined },
    );
    return fail(`MQTT login: ${problem.message}`, problem.advice);
  }
}
