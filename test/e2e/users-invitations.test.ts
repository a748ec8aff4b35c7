/**
 * Invitations under Cognito's daily email cap, and the export → import round
 * trip, against moto_server through a recording proxy.
 *
 * moto has no email cap and no email counter, so two things come from the proxy
 * (mocked because they cannot run here): the LimitExceededException Cognito
 * answers once its built-in sender has used the day's allowance (message as
 * quoted in aws-amplify/amplify-cli#7412), and the answer to AdminCreateUser
 * RESEND (moto 5.2 re-creates the user under a new id for pools that sign in by
 * email, cognitoidp/models.py admin_create_user, leaving two users with one
 * email). Everything else is moto's: users, groups, pagination (60 a page).
 */
import { AdminAddUserToGroupCommand, AdminCreateUserCommand, AdminSetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy, type ProxyCall } from '../support/fault-proxy.js';
import { startMoto, type Moto } from '../support/moto.js';
import { createPool, GROUPS, type PoolFixture } from '../support/users-fixture.js';

const EMAIL_CAP = {
  error: 'LimitExceededException',
  message:
    'Exceeded daily email limit for the operation or the account. If a higher limit is required, please configure your user pool to use your own Amazon SES configuration for sending email.',
};

let moto: Moto;
let pool: PoolFixture;
let proxy: FaultProxy | undefined;

beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  pool = await createPool(moto);
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/** AdminCreateUser calls that asked Cognito to email an invitation (no MessageAction). */
const invitations = (calls: readonly ProxyCall[]) => calls.filter((c) => c.operation === 'AdminCreateUser' && c.input.MessageAction === undefined);
const suppressed = (calls: readonly ProxyCall[]) => calls.filter((c) => c.operation === 'AdminCreateUser' && c.input.MessageAction === 'SUPPRESS');

function csv(name: string, count: number, from = 0): string {
  const lines = ['email,groups,name'];
  for (let i = from; i < from + count; i++) lines.push(`student${String(i).padStart(3, '0')}@example.org,shiny_users,Student ${i}`);
  const file = join(pool.dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Users created just now without an email, as earlier runs of the day would have left them. */
async function seedRecent(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await pool.seed(`earlier${i}@example.org`, ['dash_users']);
}

describe('invitations within Cognito\'s daily email cap (no cognito.email)', () => {
  it('import of 70 new users emails 50, creates 20 without an invitation and queues them in <file>.uninvited.csv', { timeout: 300_000 }, async () => {
    proxy = await startFaultProxy({ target: moto.url });
    const file = csv('class.csv', 70);
    const res = await pool.cli(['users', 'import', file, '--rate', '400'], { endpoint: proxy.url, timeoutMs: 240_000 });
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/invitations: 50 emailed today, 20 not sent yet/);
    expect(res.stderr).toMatch(/allows 50 emails a day per account; about 0 went out in the past 24 hours/);
    expect(res.stderr).toContain('shinykit users invite --file');
    // Distinct users: a call the SDK retried (a dropped connection under load) is still one user.
    const users = (calls: readonly ProxyCall[]) => new Set(calls.map((c) => String(c.input.Username)));
    const invited = users(invitations(proxy.calls));
    const quiet = users(suppressed(proxy.calls));
    expect(invited.size).toBe(50);
    expect(quiet.size).toBe(20);
    expect([...invited].some((u) => quiet.has(u))).toBe(false);
    // Every user exists with their group, invited or not.
    const snap = await pool.snapshot();
    expect(snap.size).toBe(70);
    expect([...snap.values()].every((u) => u.groups.join() === 'shiny_users')).toBe(true);
    // The queue holds exactly the 20 not invited, in the import format.
    const queue = join(pool.dir, 'class.uninvited.csv');
    const queued = readFileSync(queue, 'utf8').trim().split('\n');
    expect(queued[0]).toBe('email,groups,name');
    const notInvited = new Set(suppressed(proxy.calls).map((c) => String(c.input.Username)));
    expect(new Set(queued.slice(1).map((l) => l.split(',')[0]))).toEqual(notInvited);
  });

  it('counts what the past 24 hours used: with 45 users waiting from earlier today, 5 of 8 are emailed (dry run says so first)', async () => {
    await seedRecent(45);
    proxy = await startFaultProxy({ target: moto.url });
    const file = csv('late.csv', 8);
    const dry = await pool.cli(['users', 'import', file, '--dry-run', '--json'], { endpoint: proxy.url });
    expect(dry.exitCode, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as { invitations: { sent: number; deferred: unknown[]; budget: { usedEstimate: number; available: number } } };
    expect(plan.invitations).toMatchObject({ sent: 5, budget: { usedEstimate: 45, available: 5 } });
    expect(plan.invitations.deferred).toHaveLength(3);
    expect(proxy.count('AdminCreateUser')).toBe(0);

    const res = await pool.cli(['users', 'import', file, '--json'], { endpoint: proxy.url });
    expect(res.exitCode, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout) as { summary: Record<string, number>; invitations: { sent: number; deferred: Array<{ email: string }> } };
    expect(report.summary.created).toBe(8);
    expect(report.invitations.sent).toBe(5);
    // Rows run concurrently, so which three wait depends on timing; that three do does not.
    expect(report.invitations.deferred).toHaveLength(3);
    expect(invitations(proxy.calls)).toHaveLength(5);
  });

  it('never reports a refused invitation as sent: after Cognito\'s LimitExceededException the user is created without one and the rest are not emailed', async () => {
    let invited = 0;
    proxy = await startFaultProxy({
      target: moto.url,
      answer: (op, input) => (op === 'AdminCreateUser' && input.MessageAction === undefined && ++invited > 2 ? EMAIL_CAP : undefined),
    });
    const file = csv('refused.csv', 6);
    const res = await pool.cli(['users', 'import', file, '--concurrency', '1', '--json'], { endpoint: proxy.url });
    expect(res.exitCode, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout) as {
      summary: Record<string, number>;
      rows: Array<{ email: string; invitation: string }>;
      invitations: { sent: number; refused: boolean; deferred: unknown[] };
    };
    expect(report.summary).toMatchObject({ created: 6, failed: 0 });
    expect(report.invitations).toMatchObject({ sent: 2, refused: true });
    expect(report.invitations.deferred).toHaveLength(4);
    expect(report.rows.map((r) => r.invitation)).toEqual(['sent', 'sent', 'deferred', 'deferred', 'deferred', 'deferred']);
    // One refused attempt, then no further invitation was even asked for.
    expect(invitations(proxy.calls)).toHaveLength(3);
    expect((await pool.snapshot()).size).toBe(6);
  });

  it('users add past the cap creates the user, says plainly no invitation went out, and names `users invite`', async () => {
    await seedRecent(50);
    proxy = await startFaultProxy({ target: moto.url });
    const res = await pool.cli(['users', 'add', 'ana@example.org', '--group', 'shiny_users'], { endpoint: proxy.url });
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/created ana@example.org \(NO invitation yet: .*shinykit users invite ana@example.org/);
    expect(invitations(proxy.calls)).toHaveLength(0);
    expect(suppressed(proxy.calls).map((c) => c.input.Username)).toEqual(['ana@example.org']);
  });

  it('users add whose invitation Cognito refuses reports it deferred, not emailed', async () => {
    proxy = await startFaultProxy({ target: moto.url, answer: (op, input) => (op === 'AdminCreateUser' && input.MessageAction === undefined ? EMAIL_CAP : undefined) });
    const res = await pool.cli(['users', 'add', 'bo@example.org', '--json'], { endpoint: proxy.url });
    expect(res.exitCode, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual([{ email: 'bo@example.org', result: 'created', addedGroups: [], invitation: 'deferred' }]);
    expect((await pool.snapshot()).get('bo@example.org')?.status).toBe('FORCE_CHANGE_PASSWORD');
  });

  it('users invite --file sends what the day allows, keeps the rest in the file, skips users who signed in, and exits 1 on a refusal', async () => {
    // 41 waiting from earlier today plus the 6 below (created without invitations, as an
    // import past the cap leaves them; they count too: the estimate errs low): 3 may go out.
    await seedRecent(41);
    const file = csv('queue.csv', 6);
    const created = await pool.cli(['users', 'import', file, '--no-invite']);
    expect(created.exitCode, created.stderr).toBe(0);
    // One of them has signed in meanwhile (a permanent password makes them CONFIRMED).
    await pool.admin.send(
      new AdminSetUserPasswordCommand({ UserPoolId: pool.poolId, Username: 'student004@example.org', Password: 'Correct-Horse-9!', Permanent: true }),
    );
    let resends = 0;
    proxy = await startFaultProxy({
      target: moto.url,
      answer: (op, input) => {
        if (op !== 'AdminCreateUser' || input.MessageAction !== 'RESEND') return undefined;
        return ++resends > 2 ? EMAIL_CAP : { ok: {} };
      },
    });
    const res = await pool.cli(['users', 'invite', '--file', file], { endpoint: proxy.url });
    expect(res.exitCode).toBe(1);
    expect(res.stdout).toMatch(/student000@example.org {2}invitation sent/);
    expect(res.stdout).toMatch(/student001@example.org {2}invitation sent/);
    expect(res.stdout).toMatch(/student002@example.org {2}not sent: Cognito refused it/);
    expect(res.stdout).toMatch(/student003@example.org {2}not sent: today's email allowance is used up/);
    expect(res.stdout).toMatch(/student004@example.org {2}skipped: has signed in already/);
    expect(res.stderr).toMatch(/1 invitation not sent/);
    // The file keeps the three still owed an invitation.
    const left = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    expect(left).toEqual(['student002@example.org', 'student003@example.org', 'student005@example.org']);
    // (The SDK retries LimitExceededException as throttling, so student002 may be asked more than once.)
    expect([...new Set(proxy.calls.filter((c) => c.input.MessageAction === 'RESEND').map((c) => c.input.Username))]).toEqual([
      'student000@example.org',
      'student001@example.org',
      'student002@example.org',
    ]);
  });

  it('users invite refuses an unknown user before sending anything (exit 2)', async () => {
    await pool.seed('known@example.org');
    proxy = await startFaultProxy({ target: moto.url });
    const res = await pool.cli(['users', 'invite', 'known@example.org', 'nobody@example.org'], { endpoint: proxy.url });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/no user nobody@example.org/);
    expect(proxy.count('AdminCreateUser')).toBe(0);
  });
});

describe('users export → users import round trip', () => {
  it('exports 80 users (two pages of ListUsers, two of ListUsersInGroup for shiny_users) with every group, and importing the file into an empty pool recreates the same memberships', { timeout: 300_000 }, async () => {
    // shiny_users gets 64 members: more than one 60-user page there too.
    const groupSets = [['shiny_users'], ['admin_users', 'shiny_users'], ['dash_users', 'shiny_users'], Object.keys(GROUPS), []];
    const expected = new Map<string, { groups: string[]; name?: string }>();
    for (let i = 0; i < 80; i++) {
      const email = `member${String(i).padStart(3, '0')}@example.org`;
      const groups = [...groupSets[i % groupSets.length]!].sort();
      // Names with a comma, a quote and none at all survive the CSV.
      const name = i % 7 === 0 ? undefined : i % 3 === 0 ? `Lima, Ana "${i}"` : `Member ${i}`;
      await pool.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: pool.poolId,
          Username: email,
          MessageAction: 'SUPPRESS',
          UserAttributes: [{ Name: 'email', Value: email }, ...(name ? [{ Name: 'name', Value: name }] : [])],
        }),
      );
      for (const GroupName of groups) await pool.admin.send(new AdminAddUserToGroupCommand({ UserPoolId: pool.poolId, Username: email, GroupName }));
      expected.set(email, { groups, ...(name ? { name } : {}) });
    }
    proxy = await startFaultProxy({ target: moto.url });
    const out = join(pool.dir, 'backup.csv');
    const exp = await pool.cli(['users', 'export', '--out', out], { endpoint: proxy.url });
    expect(exp.exitCode, exp.stderr).toBe(0);
    expect(exp.stderr).toMatch(/exported 80 users in 3 groups to/);
    // Pagination was exercised: 80 users need two ListUsers pages of at most 60, and so do shiny_users' 64 members.
    expect(proxy.count('ListUsers')).toBe(2);
    expect(proxy.calls.filter((c) => c.operation === 'ListUsersInGroup' && c.input.GroupName === 'shiny_users')).toHaveLength(2);
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toBe('email,groups,name,status,enabled,provider');
    expect(text).toContain('"Lima, Ana ""3"""');

    // The pool is lost; a new one with the same groups gets the file back.
    await moto.reset();
    const restored = await createPool(moto);
    const imp = await restored.cli(['users', 'import', out, '--no-invite', '--rate', '400', '--json'], { timeoutMs: 120_000 });
    expect(imp.exitCode, imp.stderr).toBe(0);
    expect((JSON.parse(imp.stdout) as { summary: Record<string, number> }).summary).toMatchObject({ created: 80, failed: 0 });
    const snap = await restored.snapshot();
    expect(snap.size).toBe(80);
    for (const [email, want] of expected) {
      const got = snap.get(email);
      expect(got?.groups, email).toEqual(want.groups);
      expect(got?.name, email).toBe(want.name);
    }
    // And exporting the restored pool gives the same file.
    const again = await restored.cli(['users', 'export']);
    expect(again.stdout.trimEnd()).toBe(text.trimEnd());
  });

  it('import skips the export\'s federated users (Cognito re-creates them at sign-in) and rejects unknown extra columns', async () => {
    const file = join(pool.dir, 'mixed.csv');
    writeFileSync(
      file,
      'email,groups,name,status,enabled,provider\nana@example.org,shiny_users,Ana,CONFIRMED,true,COGNITO\nbo@example.org,dash_users,,EXTERNAL_PROVIDER,true,EntraID\n',
    );
    const res = await pool.cli(['users', 'import', file, '--no-invite']);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/line 3 +skipped +bo@example.org: signs in through EntraID/);
    expect([...(await pool.snapshot()).keys()]).toEqual(['ana@example.org']);

    writeFileSync(file, 'email,groups,name,password\nana@example.org,shiny_users,Ana,hunter2\n');
    const bad = await pool.cli(['users', 'import', file]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/optionally followed by the export's status, enabled, provider columns/);
    expect(existsSync(join(pool.dir, 'mixed.uninvited.csv'))).toBe(false);
  });
});
