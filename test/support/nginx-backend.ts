/**
 * A small HTTP + websocket server standing in for ShinyProxy behind nginx:
 * GET echoes the request line and headers as JSON; a websocket echoes each
 * message back. Used by the nginx e2e test and the bench.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface Backend {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startBackend(port = 0): Promise<Backend> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/bench') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
      return;
    }
    const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers });
    res.writeHead(200, {
      'content-type': 'application/json',
      // What Spring Security would send; nginx must replace it with its own single copy.
      'strict-transport-security': 'max-age=1',
    });
    res.end(body);
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket, req) => {
    socket.on('message', (data, isBinary) => socket.send(isBinary ? data : `echo:${data.toString()}`));
    socket.send(`hello ${req.headers['x-forwarded-proto'] ?? 'none'}`);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
