/**
 * An HTTP proxy in front of moto_server that records every AWS call (operation and
 * request body) and can answer a call itself, for the few rules AWS enforces and
 * moto 5.2 does not. Each rule a test adds must cite where AWS documents it.
 */
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  /** From X-Amz-Target (JSON protocols: `DeleteUserPool`) or the Action parameter (EC2's query protocol). */
  readonly operation: string;
  readonly body: string;
}

export interface ProxyAnswer {
  readonly status: number;
  /** JSON body in the AWS JSON-protocol error shape: { __type, message }. */
  readonly json?: Record<string, unknown>;
  /** A query-protocol (XML) answer instead, for APIs such as CloudFormation. */
  readonly xml?: string;
}

export interface AwsRulesProxy {
  readonly url: string;
  readonly calls: RecordedCall[];
  operations(): string[];
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

export async function startAwsRulesProxy(target: string, rule: (call: RecordedCall, history: readonly RecordedCall[]) => ProxyAnswer | undefined = () => undefined): Promise<AwsRulesProxy> {
  const calls: RecordedCall[] = [];
  const upstream = new URL(target);
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const text = body.toString('utf8');
    const targetHeader = String(req.headers['x-amz-target'] ?? '');
    const operation = targetHeader ? targetHeader.split('.').pop()! : (new URLSearchParams(text).get('Action') ?? `${req.method} ${req.url}`);
    const call = { operation, body: text };
    const answer = rule(call, calls);
    calls.push(call);
    if (answer) {
      if (answer.xml !== undefined) {
        res.writeHead(answer.status, { 'content-type': 'text/xml' });
        res.end(answer.xml);
      } else {
        res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(answer.json));
      }
      return;
    }
    const fwd = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    fwd.on('error', () => res.destroy());
    fwd.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    operations: () => calls.map((c) => c.operation),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
