/**
 * Bulk Cognito work paced under the account's request quota and retried when
 * Cognito (or the network) pushes back.
 *
 * - A token bucket hands out one request slot per 1/rate seconds, and every
 *   attempt, retries included, takes a slot: the quota counts attempts, not
 *   successes.
 * - Throttling (TooManyRequestsException and friends), 5xx answers and
 *   dropped connections are retried with jittered exponential backoff ("full
 *   jitter"), so many workers that were throttled together do not retry in step.
 * - Everything else is the caller's to handle (a row fails, the rest go on).
 *
 * Bulk clients are built with the SDK's own retries off (maxAttempts 1) so this
 * is the single retry layer and its request count is the real one.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

export interface PacerOptions {
  /** Requests per second, across all workers. */
  readonly rate: number;
  /**
   * Bucket size: how many requests may go out at once after a pause. Default 1:
   * requests then never come closer than 1/rate apart, so no 1-second window
   * ever holds more than `rate` of them (a bigger bucket trades that for speed
   * after idle moments, which a bulk import does not have).
   */
  readonly burst?: number;
  /** Attempts per call before giving up, the first included. Default 8. */
  readonly maxAttempts?: number;
  /** First backoff ceiling in ms; doubles per attempt. Default 250. */
  readonly baseDelayMs?: number;
  /** Backoff ceiling in ms. Default 8000. */
  readonly maxDelayMs?: number;
  /** Injected for tests; default Math.random. */
  readonly random?: () => number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface PacerStats {
  /** Attempts sent, retries included. */
  requests: number;
  /** Attempts that were retried. */
  retries: number;
  /** Attempts answered with a throttling error. */
  throttled: number;
}

/** A second plus an allowance for network and event-loop jitter (see TokenBucket.wait). */
const WINDOW_MS = 1050;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A token bucket: `take()` resolves when a request may be sent. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly rate: number,
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = defaultSleep,
  ) {
    if (!(rate > 0)) throw new RangeError(`rate must be above 0, got ${rate}`);
    // Start with one token, not a full bucket: the first second must not exceed the rate either.
    this.tokens = 1;
    this.last = now();
  }

  /** Waiters are served in order (a chained promise), so no worker starves. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.wait());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async wait(): Promise<void> {
    for (;;) {
      const t = this.now();
      this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) * this.rate) / 1000);
      this.last = t;
      // The bucket keeps the long-run rate; this window check keeps every single
      // second at or under it too, even when a late timer lets tokens bunch up.
      // The window is a little longer than a second because requests reach the
      // service with some jitter: two sent 60 ms apart may arrive 10 ms apart.
      const oldest = this.recent.length >= this.perSecond ? this.recent[this.recent.length - this.perSecond]! : undefined;
      if (this.tokens >= 1 && (oldest === undefined || t - oldest >= WINDOW_MS)) {
        this.tokens -= 1;
        this.recent.push(t);
        if (this.recent.length > this.perSecond) this.recent.shift();
        return;
      }
      const forTokens = this.tokens >= 1 ? 0 : ((1 - this.tokens) * 1000) / this.rate;
      const forWindow = oldest === undefined ? 0 : oldest + WINDOW_MS - t;
      await this.sleep(Math.max(1, Math.ceil(Math.max(forTokens, forWindow))));
    }
  }

  /** Grant times of the last `perSecond` slots. */
  private readonly recent: number[] = [];
  private get perSecond(): number {
    return Math.max(1, Math.floor(this.rate));
  }
}

export type ErrorKind = 'throttled' | 'transient' | 'fatal';

const THROTTLING = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** Which errors are worth another attempt. */
export function classifyError(err: unknown): ErrorKind {
  if (!(err instanceof Error)) return 'fatal';
  const e = err as Error & { code?: string; $metadata?: { httpStatusCode?: number }; $fault?: string };
  if (THROTTLING.has(e.name)) return 'throttled';
  const status = e.$metadata?.httpStatusCode;
  if (status === 429) return 'throttled';
  if ((status !== undefined && status >= 500) || e.name === 'InternalErrorException' || e.name === 'TimeoutError') return 'transient';
  if (e.code && NETWORK_CODES.has(e.code)) return 'transient';
  // Connections closed mid-answer surface with the Node message rather than a code.
  if (/socket hang up|ECONNRESET|EPIPE|other side closed|premature close|aborted/i.test(e.message)) return 'transient';
  return 'fatal';
}

export class Pacer {
  readonly stats: PacerStats = { requests: 0, retries: 0, throttled: 0 };
  private readonly bucket: TokenBucket;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(readonly options: PacerOptions) {
    this.sleep = options.sleep ?? defaultSleep;
    this.bucket = new TokenBucket(options.rate, options.burst ?? 1, options.now, this.sleep);
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseDelayMs = options.baseDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 8000;
    this.random = options.random ?? Math.random;
  }

  /** Full-jitter backoff before attempt `attempt + 1` (attempt counts from 1). */
  backoffMs(attempt: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(this.random() * ceiling);
  }

  /**
   * Paces every request `client` sends at the last step before the wire (after
   * serialising and signing), so time the SDK spends preparing a request under
   * CPU load cannot bunch requests up past the rate. `call` then only retries.
   */
  attach(client: Pick<CognitoIdentityProviderClient, 'middlewareStack'>): this {
    client.middlewareStack.add(
      (next) => async (args) => {
        await this.gate();
        return next(args);
      },
      { step: 'deserialize', priority: 'low', name: 'shinykitPacer' },
    );
    this.attached = true;
    return this;
  }

  private attached = false;

  private async gate(): Promise<void> {
    await this.bucket.take();
    this.stats.requests++;
  }

  /** Runs `fn` in a paced slot (or through an attached client's gate), retrying throttled and transient failures. */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (!this.attached) await this.gate();
      try {
        return await fn();
      } catch (err) {
        const kind = classifyError(err);
        if (kind === 'throttled') this.stats.throttled++;
        if (kind === 'fatal' || attempt >= this.maxAttempts) throw err;
        this.stats.retries++;
        await this.sleep(this.backoffMs(attempt));
      }
    }
  }
}

