/**
 * bench:users — how much faster `shinykit users import` is than the usual bash
 * loop over Debian's `aws cognito-idp admin-create-user` + `admin-add-user-to-group`,
 * against the same moto_server, and whether the import's pacing holds a quota.
 *
 *   npm run bench:users -- [--users 300] [--quota 50] [--baseline-users N (0 skips the loop)]
 *
 * Each user is in two groups (one create + two group adds per user). Runs:
 *  1. shinykit at its default rate, 2. shinykit paced at --quota requests/s, both
 *     through a recording proxy that timestamps every request (achieved rate and
 *     the busiest 1-second window), 3. the aws CLI bash loop. The loop starts a
 *     Python process per call (about a second each here), so --baseline-users can
 *     time it on fewer users; the per-user time is then scaled up, and says so.
 * Figures are ratios against the baseline measured in the same run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { DEFAULT_RATE } from '../cli/commands/users/import.js';
import { startFaultProxy } from '../test/support/fault-proxy.js';
import { startMoto } from '../test/support/moto.js';
import { createPool, type PoolFixture } from '../test/support/users-fixture.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '300' },
    quota: { type: 'string', default: '50' },
    'baseline-users': { type: 'string' },
    aws: { type: 'string', default: '/usr/bin/aws' },
  },
});
const USERS = Number(values.users);
const QUOTA = Number(values.quota);
const BASELINE_USERS = Math.min(USERS, Number(values['baseline-users'] ?? USERS));
const GROUPS = [
  ['shiny_users', 'dash_users'],
  ['admin_users', 'shiny_users'],
  ['admin_users', 'dash_users'],
];

const users = Array.from({ length: USERS }, (_, i) => ({ email: `bench${String(i).padStart(4, '0')}@example.org`, groups: GROUPS[i % GROUPS.length]! }));

const moto = await startMoto();
try {
  const results: Array<{ label: string; seconds: number; users: number; extrapolated?: boolean }> = [];

  const timeShinykit = async (label: string, rate: number) => {
    await moto.reset();
    const pool = await createPool(moto);
    const file = join(pool.dir, 'bench.csv');
    writeFileSync(file, ['email,groups,name', ...users.map((u) => `${u.email},${u.groups.join(';')},`)].join('\n') + '\n');
    const proxy = await startFaultProxy({ target: moto.url });
    try {
      const t0 = performance.now();
      const res = await pool.cli(['users', 'import', file, '--no-invite', '--rate', String(rate), '--json'], { endpoint: proxy.url, timeoutMs: 3_600_000 });
      const seconds = (performance.now() - t0) / 1000;
      if (res.exitCode !== 0) throw new Error(`shinykit import failed (${res.exitCode}): ${res.stderr}`);
      await verify(pool);
      const times = proxy.calls.map((c) => c.at);
      const span = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
      let busiest = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while (times[i]! - times[j]! >= 1000) j++;
        busiest = Math.max(busiest, i - j + 1);
      }
      results.push({ label, seconds, users: USERS });
      return { requests: times.length, achieved: (times.length - 1) / span, busiest };
    } finally {
      await proxy.close();
    }
  };

  const verify = async (pool: PoolFixture, count = USERS) => {
    const snap = await pool.snapshot();
    if (snap.size !== count) throw new Error(`expected ${count} users in moto, found ${snap.size}`);
    for (const u of users.slice(0, count)) {
      const got = snap.get(u.email)?.groups.join(',');
      if (got !== [...u.groups].sort().join(',')) throw new Error(`${u.email}: groups ${got}`);
    }
  };

  const def = await timeShinykit(`shinykit users import (default --rate ${DEFAULT_RATE})`, DEFAULT_RATE);
  const paced = await timeShinykit(`shinykit users import --rate ${QUOTA}`, QUOTA);

  const loop = BASELINE_USERS > 0 ? await timeBashLoop() : undefined;
  const baseline = loop ? (loop.measured / BASELINE_USERS) * USERS : undefined;
  if (loop && baseline) {
    results.push({ label: `bash loop of ${values.aws} cognito-idp calls`, seconds: baseline, users: USERS, extrapolated: BASELINE_USERS < USERS });
  }

  console.log(`\nImporting ${USERS} users, each in 2 groups (3 write calls per user), against moto_server:`);
  for (const r of results) {
    const note = r.extrapolated ? `  (timed on ${BASELINE_USERS} users: ${loop!.measured.toFixed(1)} s, scaled to ${USERS})` : '';
    console.log(`  ${r.label.padEnd(52)} ${r.seconds.toFixed(1).padStart(8)} s  ${(r.users / r.seconds).toFixed(1).padStart(6)} users/s${note}`);
  }
  if (baseline) {
    for (const r of results.slice(0, 2)) console.log(`  speed-up over the bash loop, ${r.label}: ${(baseline / r.seconds).toFixed(1)}x`);
  }
  console.log(`\nPacing (every request timestamped by a recording proxy):`);
  for (const [rate, p] of [[DEFAULT_RATE, def], [QUOTA, paced]] as const) {
    console.log(
      `  --rate ${rate}: ${p.requests} requests, achieved ${p.achieved.toFixed(1)}/s (${((p.achieved / rate) * 100).toFixed(0)}% of it), busiest 1-s window ${p.busiest}`,
    );
  }
} finally {
  await moto.stop();
}

/** The baseline: a plain bash loop, one aws CLI process per call. */
async function timeBashLoop(): Promise<{ measured: number }> {
  await moto.reset();
  const pool = await createPool(moto);
  const list = join(pool.dir, 'users.txt');
  writeFileSync(list, users.slice(0, BASELINE_USERS).map((u) => `${u.email} ${u.groups.join(' ')}`).join('\n') + '\n');
  const script = join(pool.dir, 'loop.sh');
  writeFileSync(
    script,
    [
      'set -euo pipefail',
      'while read -r email g1 g2; do',
      '  "$AWS" cognito-idp admin-create-user --endpoint-url "$URL" --user-pool-id "$POOL" --username "$email" \\',
      '    --user-attributes Name=email,Value="$email" Name=email_verified,Value=true --message-action SUPPRESS > /dev/null',
      '  "$AWS" cognito-idp admin-add-user-to-group --endpoint-url "$URL" --user-pool-id "$POOL" --username "$email" --group-name "$g1"',
      '  "$AWS" cognito-idp admin-add-user-to-group --endpoint-url "$URL" --user-pool-id "$POOL" --username "$email" --group-name "$g2"',
      'done < "$LIST"',
    ].join('\n'),
  );
  const t0 = performance.now();
  await execa('bash', [script], {
    env: { ...moto.env, AWS: values.aws, URL: moto.url, POOL: pool.poolId, LIST: list, AWS_PAGER: '' },
    stdio: 'inherit',
  });
  const measured = (performance.now() - t0) / 1000;
  const snap = await pool.snapshot();
  if (snap.size !== BASELINE_USERS) throw new Error(`bash loop: expected ${BASELINE_USERS} users, found ${snap.size}`);
  return { measured };
}
