/**
 * A small HTTP proxy between the CLI and moto_server that misbehaves the way
 * Cognito and networks do under load: it answers a share of requests with
 * Cognito's throttling error, drops some connections before forwarding, and
 * drops some after moto has done the work (the answer is lost, the write is
 * not). Faults come from a seeded generator, so a run can be replayed.
 * With every rate at 0 it is a recorder: which operations were called, and when.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxyOptions {
  /** moto's base URL. */
  readonly target: string;
  /** Share of requests answered with HTTP 400 TooManyRequestsException. */
  readonly throttleRate?: number;
  /** Share of requests whose connection is dropped before moto sees them. */
  readonly dropBeforeRate?: number;
  /** Share of requests forwarded to moto whose answer is then dropped. */
  readonly dropAfterRate?: number;
  /** Only operations this accepts (e.g. `AdminCreateUser`) get faults; default all. */
  readonly faultable?: (operation: string) => boolean;
  /**
   * Answers a request itself instead of forwarding it, for what moto cannot do
   * (Cognito's daily email cap): return an error to send it as Cognito's awsJson
   * error, `{ ok: body }` to answer 200 with that body, or undefined to forward.
   */
  readonly answer?: (operation: string, input: Record<string, unknown>) => { readonly error: string; readonly message: string } | { readonly ok: unknown } | undefined;
  readonly seed?: number;
}

export interface ProxyCall {
  /** The operation from X-Amz-Target, e.g. AdminCreateUser. */
  readonly operation: string;
  /** When the request arrived, in ms since the proxy started. */
  readonly at: number;
  readonly fault: 'none' | 'throttled' | 'dropped-before' | 'dropped-after' | 'answered';
  /** The request's JSON body (awsJson1_1), e.g. AdminCreateUser's MessageAction. */
  readonly input: Record<string, unknown>;
}

export interface FaultProxy {
  readonly url: string;
  readonly calls: ProxyCall[];
  count(operation?: string, fault?: ProxyCall['fault']): number;
  close(): Promise<void>;
}

/** mulberry32: tiny, seedable, good enough to spread faults. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const random = seeded(opts.seed ?? 1);
  const target = new URL(opts.target);
  const calls: ProxyCall[] = [];
  const started = performance.now();
  const server: Server = createServer(async (req, res) => {
    const arrived = performance.now() - started;
    const body = await readBody(req);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() || `${req.method} ${req.url}`;
    const faultable = opts.faultable?.(operation) ?? true;
    const roll = faultable ? random() : 1;
    const throttle = opts.throttleRate ?? 0;
    const before = throttle + (opts.dropBeforeRate ?? 0);
    const after = before + (opts.dropAfterRate ?? 0);
    let input: Record<string, unknown> = {};
    try {
      input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      // not JSON (moto-api calls): recorded without input
    }
    const answer = opts.answer?.(operation, input);
    if (answer) {
      calls.push({ operation, at: arrived, fault: 'answered', input });
      const isError = 'error' in answer;
      const payload = JSON.stringify(isError ? { __type: answer.error, message: answer.message } : answer.ok);
      res.writeHead(isError ? 400 : 200, {
        'content-type': 'application/x-amz-json-1.1',
        ...(isError ? { 'x-amzn-errortype': `${answer.error}:` } : {}),
        'x-amzn-requestid': `answered-${calls.length}`,
        'content-length': Buffer.byteLength(payload),
      });
      res.end(payload);
      return;
    }
    const fault: ProxyCall['fault'] = roll < throttle ? 'throttled' : roll < before ? 'dropped-before' : roll < after ? 'dropped-after' : 'none';
    calls.push({ operation, at: arrived, fault, input });
    if (fault === 'throttled') {
      // What Cognito sends when the quota is exceeded (awsJson1_1 error shape).
      const payload = JSON.stringify({ __type: 'TooManyRequestsException', message: 'Too many requests' });
      res.writeHead(400, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-errortype': 'TooManyRequestsException:',
        'x-amzn-requestid': `fault-${calls.length}`,
        'content-length': Buffer.byteLength(payload),
      });
      res.end(payload);
      return;
    }
    if (fault === 'dropped-before') {
      req.socket.destroy();
      return;
    }
    const headers = { ...req.headers, host: target.host };
    const upstream = request(
      { hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          if (fault === 'dropped-after') {
            req.socket.destroy(); // moto did the work; the caller never hears of it
            return;
          }
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(Buffer.concat(chunks));
        });
      },
    );
    upstream.on('error', () => req.socket.destroy());
    upstream.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    count: (operation, fault) => calls.filter((c) => (!operation || c.operation === operation) && (!fault || c.fault === fault)).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
