/**
 * The import under Cognito-style pushback: a proxy between the CLI and moto
 * throttles a share of calls (HTTP 400 TooManyRequestsException, as Cognito
 * answers), drops connections before moto sees a request, and drops answers
 * after moto did the work (a user created whose creation the CLI never hears
 * of). The CLI's bulk client has the SDK's retries off, so every retry here is
 * the import's own. Afterwards moto must hold every user exactly once, in the
 * right groups.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startMoto, type Moto } from '../support/moto.js';
import { createPool, type PoolFixture } from '../support/users-fixture.js';

const USERS = 300;
const GROUP_SETS = [['shiny_users'], ['dash_users', 'shiny_users'], ['admin_users', 'dash_users']];

let moto: Moto;
let pool: PoolFixture;
let proxy: FaultProxy;

beforeAll(async () => {
  moto = await startMoto();
  pool = await createPool(moto);
  proxy = await startFaultProxy({ target: moto.url, throttleRate: 0.12, dropBeforeRate: 0.04, dropAfterRate: 0.06, seed: 42 });
});
afterAll(async () => {
  await proxy?.close();
  await moto?.stop();
});

describe('shinykit users import through throttling and dropped connections', () => {
  it(`creates all ${USERS} users exactly once, in the right groups, with exit 0`, async () => {
    const lines = ['email,groups,name'];
    const expected = new Map<string, string[]>();
    for (let i = 0; i < USERS; i++) {
      const email = `person${String(i).padStart(3, '0')}@example.org`;
      const groups = GROUP_SETS[i % GROUP_SETS.length]!;
      expected.set(email, [...groups].sort());
      lines.push(`${email},${groups.join(';')},Person ${i}`);
    }
    const file = join(pool.dir, 'many.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);

    // A high rate keeps the test quick; pacing itself is shown by bench/users-import.ts.
    const res = await pool.cli(['users', 'import', file, '--rate', '400', '--concurrency', '16', '--json'], {
      endpoint: proxy.url,
      timeoutMs: 300_000,
    });
    expect(res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
    const report = JSON.parse(res.stdout) as { summary: Record<string, number>; requests: { retries: number; throttled: number } };
    expect(report.summary).toEqual({ created: USERS, updated: 0, unchanged: 0, failed: 0 });

    // The faults really happened, to writes as well as reads, and were retried by the import itself.
    expect(proxy.count('AdminCreateUser', 'throttled')).toBeGreaterThan(0);
    expect(proxy.count('AdminCreateUser', 'dropped-after')).toBeGreaterThan(0);
    expect(proxy.count('AdminAddUserToGroup', 'dropped-after')).toBeGreaterThan(0);
    expect(proxy.count(undefined, 'dropped-before')).toBeGreaterThan(0);
    expect(report.requests.throttled).toBe(proxy.count(undefined, 'throttled'));
    // At least one retry per injected fault (a few more when a reused keep-alive socket was the one just dropped).
    expect(report.requests.retries).toBeGreaterThanOrEqual(proxy.calls.filter((c) => c.fault !== 'none').length);

    const users = await pool.snapshot(); // throws on a duplicate email
    expect(users.size).toBe(USERS);
    for (const [email, groups] of expected) expect(users.get(email)?.groups, email).toEqual(groups);
  });
});
