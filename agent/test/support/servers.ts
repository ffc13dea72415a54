// Real local servers for the box's diagnostics: an MQTT broker (aedes, plain or TLS, accepting or
// refusing logins), an HTTP(S) server standing in for the hub's web address, and a port nobody listens on.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError } from 'aedes';
import type { ServerCert } from './certs.ts';

export interface LocalServer {
  port: number;
  close(): Promise<void>;
}

function listen(server: Server | HttpServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (!address || typeof address === 'string') reject(new Error('no port'));
      else resolve(address.port);
    });
  });
}

function closer(server: Server | HttpServer, sockets: Set<Socket>): () => Promise<void> {
  return () => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  };
}

function track(server: Server | HttpServer): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

/** A port that was free a moment ago and has no listener: connections are refused. */
export async function refusedPort(): Promise<number> {
  const server = createTcpServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface BrokerOptions {
  /** Refuse every login with CONNACK 5 "not authorized". */
  refuse?: boolean;
  tls?: ServerCert;
}

/** An aedes broker on 127.0.0.1; `broker` to publish (e.g. the hub's retained status). */
export async function startBroker(opts: BrokerOptions = {}): Promise<LocalServer & { broker: Aedes }> {
  const broker = await Aedes.createBroker({
    authenticate(_client, _username, _password, done) {
      if (!opts.refuse) return done(null, true);
      const error = new Error('not authorized') as AuthenticateError;
      error.returnCode = 5;
      done(error, false);
    },
  });
  const server = opts.tls
    ? createTlsServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, broker.handle)
    : createTcpServer(broker.handle);
  server.on('tlsClientError', () => {});
  const sockets = track(server);
  const port = await listen(server);
  const closeServer = closer(server, sockets);
  return {
    port,
    broker,
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await closeServer();
    },
  };
}

/** Answers every request with 200 and a small JSON body, like the hub's `/api/health`. */
export async function startHttp(tls?: ServerCert): Promise<LocalServer> {
  const handler = (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  };
  const server = tls
    ? createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, handler)
    : createHttpServer(handler);
  server.on('tlsClientError', () => {});
  const sockets = track(server);
  const port = await listen(server);
  return { port, close: closer(server, sockets) };
}

/** Publishes a retained message on the broker (as the hub would). */
export function publishRetained(broker: Aedes, topic: string, payload: string): Promise<void> {
  return new Promise((resolve, reject) =>
    broker.publish(
      { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: true, dup: false },
      (error) => (error ? reject(error) : resolve()),
    ),
  );
}
