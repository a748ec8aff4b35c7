import { describe, expect, it } from 'vitest';
import { mapConcurrent } from '../../../cli/lib/concurrency.js';
import { classifyError, Pacer, TokenBucket } from '../../../cli/users/pacer.js';

/** A virtual clock: sleeping advances time instantly, so pacing is checked without waiting. */
function virtualClock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

function awsError(name: string, status?: number): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });
}

describe('TokenBucket', () => {
  it('hands out slots no faster than the rate: no 1-second window holds more than rate, even with a burst allowance', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket(20, 2, clock.now, clock.sleep);
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      await bucket.take();
      times.push(clock.now());
    }
    for (const start of times) {
      expect(times.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(20);
    }
    // And close to it: 200 slots at 20/s take 10 s, plus the 5% jitter allowance of the window.
    expect(times.at(-1)).toBeGreaterThanOrEqual(9_800);
    expect(times.at(-1)).toBeLessThanOrEqual(10_600);
  });

  it('keeps every second under the rate when timers fire late', async () => {
    // A sleep that sometimes overshoots by 120 ms (a busy event loop) must not let slots bunch up.
    let t = 0;
    let n = 0;
    const bucket = new TokenBucket(10, 1, () => t, async (ms) => void (t += ms + (++n % 3 === 0 ? 120 : 0)));
    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      await bucket.take();
      times.push(t);
    }
    for (const start of times) expect(times.filter((x) => x >= start && x < start + 1000).length).toBeLessThanOrEqual(10);
  });

  it('serves concurrent waiters in order', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket(5, 1, clock.now, clock.sleep);
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((i) => bucket.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('rejects a rate of 0', () => {
    expect(() => new TokenBucket(0, 1)).toThrow(RangeError);
  });
});

describe('classifyError', () => {
  it('retries throttling, 5xx, timeouts and dropped connections; not client errors', () => {
    expect(classifyError(awsError('TooManyRequestsException', 400))).toBe('throttled');
    expect(classifyError(awsError('ThrottlingException', 400))).toBe('throttled');
    expect(classifyError(awsError('Whatever', 429))).toBe('throttled');
    expect(classifyError(awsError('InternalErrorException', 500))).toBe('transient');
    expect(classifyError(awsError('ServiceUnavailable', 503))).toBe('transient');
    expect(classifyError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe('transient');
    expect(classifyError(new Error('socket hang up'))).toBe('transient');
    expect(classifyError(awsError('UserNotFoundException', 400))).toBe('fatal');
    expect(classifyError(awsError('InvalidParameterException', 400))).toBe('fatal');
    expect(classifyError('a string')).toBe('fatal');
  });
});

describe('Pacer', () => {
  it('retries throttled calls with growing, jittered, capped backoff and counts every attempt', async () => {
    const clock = virtualClock();
    const sleeps: number[] = [];
    const pacer = new Pacer({
      rate: 1000,
      baseDelayMs: 100,
      maxDelayMs: 400,
      random: () => 1,
      now: clock.now,
      sleep: async (ms) => {
        sleeps.push(ms);
        await clock.sleep(ms);
      },
    });
    let calls = 0;
    const result = await pacer.call(async () => {
      if (++calls < 5) throw awsError('TooManyRequestsException', 400);
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(pacer.stats).toEqual({ requests: 5, retries: 4, throttled: 4 });
    // Backoff ceilings 100, 200, 400, 400 (capped); the token waits are 1 ms each at 1000/s.
    expect(sleeps.filter((ms) => ms > 1)).toEqual([100, 200, 400, 400]);
  });

  it('jitter spreads retries between 0 and the ceiling', () => {
    const pacer = new Pacer({ rate: 10, baseDelayMs: 100, random: () => 0.25 });
    expect(pacer.backoffMs(1)).toBe(25);
    expect(pacer.backoffMs(3)).toBe(100);
  });

  it('gives up after maxAttempts and rethrows the last error; fatal errors are not retried', async () => {
    const clock = virtualClock();
    const pacer = new Pacer({ rate: 1000, maxAttempts: 3, now: clock.now, sleep: clock.sleep });
    await expect(pacer.call(() => Promise.reject(awsError('TooManyRequestsException', 400)))).rejects.toThrow('TooManyRequestsException');
    expect(pacer.stats.requests).toBe(3);
    await expect(pacer.call(() => Promise.reject(awsError('UserNotFoundException', 400)))).rejects.toThrow('UserNotFoundException');
    expect(pacer.stats.requests).toBe(4);
  });
});

describe('mapConcurrent', () => {
  it('keeps at most N in flight and returns results in input order', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapConcurrent([5, 1, 4, 2, 3], 2, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, n));
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});
