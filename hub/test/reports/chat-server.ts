/**
 * A local HTTP server speaking the OpenAI chat-completions API: answers with a fixed summary, fails
 * with 500, or never answers ("hang"); it keeps every request body it got.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ChatMode = 'answer' | 'fail' | 'hang';

export interface ChatServer {
  endpoint: string;
  mode: ChatMode;
  reply: string;
  bodies: { path: string; authorization: string | undefined; json: unknown; raw: string }[];
  close(): Promise<void>;
}

export async function startChatServer(reply: string): Promise<ChatServer> {
  const hanging: ServerResponse[] = [];
  const state: ChatServer = {
    endpoint: '',
    mode: 'answer',
    reply,
    bodies: [],
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      state.bodies.push({
        path: req.url ?? '',
        authorization: req.headers.authorization,
        json: JSON.parse(raw),
        raw,
      });
      if (state.mode === 'hang') {
        hanging.push(res);
        return;
      }
      if (state.mode === 'fail') {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"overloaded"}}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'chatcmpl-test',
          object: 'chat.completion',
          choices: [
            { index: 0, message: { role: 'assistant', content: state.reply }, finish_reason: 'stop' },
          ],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return state;
}
