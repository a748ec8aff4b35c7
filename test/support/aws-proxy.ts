/**
 * The plumbing the test proxies in front of moto_server share (aws-rules-proxy.ts
 * enforces rules AWS has and moto lacks; fault-proxy.ts misbehaves like Cognito under
 * load): a loopback HTTP server, the AWS operation a request names, forwarding to moto,
 * and answering in the AWS JSON protocol's shape.
 */
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the proxies see it: the body read whole, the operation named. */
export interface ProxiedRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly body: Buffer;
  /** From X-Amz-Target (JSON protocols: `AdminCreateUser`), the Action parameter (query protocols), or method and path. */
  readonly operation: string;
}

export interface LoopbackProxy {
  readonly url: string;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function operationOf(req: IncomingMessage, body: Buffer): string {
  const target = String(req.headers['x-amz-target'] ?? '');
  if (target) return target.split('.').pop()!;
  return new URLSearchParams(body.toString('utf8')).get('Action') ?? `${req.method} ${req.url}`;
}

/** Starts a server on 127.0.0.1 (a free port) that hands every request, body read, to `handle`. */
export async function startLoopbackProxy(handle: (r: ProxiedRequest) => void): Promise<LoopbackProxy> {
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    handle({ req, res, body, operation: operationOf(req, body) });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Sends the request on to `target` and hands moto's whole answer to `answered`
 * (which may relay it with `relay`, or drop it). A failed upstream drops the client's connection.
 */
export function forward(
  target: URL,
  { req, body }: ProxiedRequest,
  answered: (status: number, headers: IncomingHttpHeaders, body: Buffer) => void,
): void {
  const upstream = request(
    { hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } },
    (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => answered(up.statusCode ?? 502, up.headers, Buffer.concat(chunks)));
    },
  );
  upstream.on('error', () => req.socket.destroy());
  upstream.end(body);
}

/** Relays an upstream answer unchanged. */
export function relay(res: ServerResponse, status: number, headers: IncomingHttpHeaders, body: Buffer): void {
  res.writeHead(status, headers);
  res.end(body);
}

/**
 * Answers in the AWS JSON protocol (awsJson1_1): an error `{ __type, message }` with
 * X-Amzn-ErrorType, or a success body.
 */
export function answerJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  opts: { errorType?: string; requestId?: string } = {},
): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    ...(opts.errorType ? { 'x-amzn-errortype': `${opts.errorType}:` } : {}),
    ...(opts.requestId ? { 'x-amzn-requestid': opts.requestId } : {}),
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
