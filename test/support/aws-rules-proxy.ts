/**
 * An HTTP proxy in front of moto_server that records every AWS call (operation and
 * request body) and can answer a call itself, for the few rules AWS enforces and
 * moto 5.2 does not. Each rule a test adds must cite where AWS documents it.
 */
import { answerJson, forward, relay, startLoopbackProxy } from './aws-proxy.js';

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

export async function startAwsRulesProxy(target: string, rule: (call: RecordedCall, history: readonly RecordedCall[]) => ProxyAnswer | undefined = () => undefined): Promise<AwsRulesProxy> {
  const calls: RecordedCall[] = [];
  const upstream = new URL(target);
  const proxy = await startLoopbackProxy((r) => {
    const call = { operation: r.operation, body: r.body.toString('utf8') };
    const answer = rule(call, calls);
    calls.push(call);
    if (answer?.xml !== undefined) {
      r.res.writeHead(answer.status, { 'content-type': 'text/xml' });
      r.res.end(answer.xml);
    } else if (answer) {
      answerJson(r.res, answer.status, answer.json);
    } else {
      forward(upstream, r, (status, headers, body) => relay(r.res, status, headers, body));
    }
  });
  return { ...proxy, calls, operations: () => calls.map((c) => c.operation) };
}
