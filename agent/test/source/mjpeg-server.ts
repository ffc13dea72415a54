// A tiny MJPEG-over-HTTP camera (multipart/x-mixed-replace) in a worker thread. It must not share the
// test's event loop: OpenCV opens captures synchronously, which would block an in-thread server.
import { Worker } from 'node:worker_threads';

const code = `
const { createServer } = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const jpegs = workerData.jpegs.map((u) => Buffer.from(u));
const server = createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=frame', 'Cache-Control': 'no-cache' });
  let i = 0;
  const timer = setInterval(() => {
    const jpeg = jpegs[i++ % jpegs.length];
    res.write('--frame\\r\\nContent-Type: image/jpeg\\r\\nContent-Length: ' + jpeg.length + '\\r\\n\\r\\n');
    res.write(jpeg);
    res.write('\\r\\n');
  }, workerData.intervalMs);
  req.on('close', () => clearInterval(timer));
});
server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', () => {
  server.closeAllConnections();
  server.close(() => parentPort.postMessage({ stopped: true }));
});
`;

export interface MjpegServer {
  port: number;
  stop(): Promise<void>;
}

/** Serves the given JPEG frames in a loop; `port` 0 picks a free port. */
export async function startMjpegServer(jpegs: Buffer[], port = 0, intervalMs = 20): Promise<MjpegServer> {
  const worker = new Worker(code, {
    eval: true,
    workerData: { jpegs: jpegs.map((b) => new Uint8Array(b)), port, intervalMs },
  });
  const ready = await new Promise<{ port: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  let running = true;
  return {
    port: ready.port,
    async stop() {
      if (!running) return;
      running = false;
      const stopped = new Promise((resolve) => worker.once('message', resolve));
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}
