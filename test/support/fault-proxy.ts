/**
 * A small HTTP proxy between the CLI and moto_server that misbehaves the way
 * Cognito and networks do under load: it answers a share of requests with
 * Cognito's throttling error, drops some connections before forwarding, and
 * drops some after moto has done the work (the answer is lost, the write is
 * not). Faults come from a seeded generator, so a run can be replayed.
 * With every rate at 0 it is a recorder: which operations were called, and when.
 */
import { answerJson, forward, relay, startLoopbackProxy } from './aws-proxy.js';

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

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const random = seeded(opts.seed ?? 1);
  const target = new URL(opts.target);
  const calls: ProxyCall[] = [];
  const started = performance.now();
  const proxy = await startLoopbackProxy((r) => {
    const { operation, res } = r;
    const arrived = performance.now() - started;
    const faultable = opts.faultable?.(operation) ?? true;
    const roll = faultable ? random() : 1;
    const throttle = opts.throttleRate ?? 0;
    const before = throttle + (opts.dropBeforeRate ?? 0);
    const after = before + (opts.dropAfterRate ?? 0);
    let input: Record<string, unknown> = {};
    try {
      input = JSON.parse(r.body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      // not JSON (moto-api calls): recorded without input
    }
    const answer = opts.answer?.(operation, input);
    if (answer) {
      calls.push({ operation, at: arrived, fault: 'answered', input });
      const requestId = `answered-${calls.length}`;
      if ('error' in answer) answerJson(res, 400, { __type: answer.error, message: answer.message }, { errorType: answer.error, requestId });
      else answerJson(res, 200, answer.ok, { requestId });
      return;
    }
    const fault: ProxyCall['fault'] = roll < throttle ? 'throttled' : roll < before ? 'dropped-before' : roll < after ? 'dropped-after' : 'none';
    calls.push({ operation, at: arrived, fault, input });
    if (fault === 'throttled') {
      // What Cognito sends when the quota is exceeded (awsJson1_1 error shape).
      const type = 'TooManyRequestsException';
      answerJson(res, 400, { __type: type, message: 'Too many requests' }, { errorType: type, requestId: `fault-${calls.length}` });
      return;
    }
    if (fault === 'dropped-before') {
      r.req.socket.destroy();
      return;
    }
    forward(target, r, (status, headers, body) => {
      // dropped-after: moto did the work; the caller never hears of it
      if (fault === 'dropped-after') r.req.socket.destroy();
      else relay(res, status, headers, body);
    });
  });
  return {
    ...proxy,
    calls,
    count: (operation, fault) => calls.filter((c) => (!operation || c.operation === operation) && (!fault || c.fault === fault)).length,
  };
}
