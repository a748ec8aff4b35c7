/**
 * `shinykit users …` end to end: the built CLI as a child process against a real
 * moto_server holding a user pool that signs in by email, as the stacks create it.
 */
import {
  AdminInitiateAuthCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  CreateUserPoolClientCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { freshPoolEachTest } from '../support/users-fixture.js';

const pool = freshPoolEachTest();

interface Listed {
  email: string;
  status: string;
  enabled: boolean;
  groups: string[];
}

describe('shinykit users add', () => {
  it('creates an invited, verified user with a name and groups, normalising the address', async () => {
    const res = await pool.cli(['users', 'add', '  Ana@Example.ORG ', '--group', 'shiny_users', '--group', 'dash_users', '--name', 'Ana Lima']);
    expect(res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain('created ana@example.org (invitation emailed); groups: dash_users, shiny_users');
    const users = await pool.snapshot();
    expect([...users.keys()]).toEqual(['ana@example.org']);
    expect(users.get('ana@example.org')).toMatchObject({ status: 'FORCE_CHANGE_PASSWORD', name: 'Ana Lima', groups: ['dash_users', 'shiny_users'] });
  });

  it('is idempotent: adding an existing user only adds the missing groups and says so', async () => {
    expect((await pool.cli(['users', 'add', 'bo@example.org', '-g', 'shiny_users'])).exitCode).toBe(0);
    const again = await pool.cli(['users', 'add', 'bo@example.org', '-g', 'shiny_users,admin_users', '--json']);
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual([{ email: 'bo@example.org', result: 'updated', addedGroups: ['admin_users'] }]);
    const third = await pool.cli(['users', 'add', 'bo@example.org', '-g', 'shiny_users']);
    expect(third.exitCode).toBe(0);
    expect(third.stdout).toContain('bo@example.org already exists and is already in every group given; nothing to do');
    const users = await pool.snapshot();
    expect(users.size).toBe(1);
    expect(users.get('bo@example.org')?.groups).toEqual(['admin_users', 'shiny_users']);
  });

  it('refuses an unknown group before creating anyone, naming it and the known groups (exit 2)', async () => {
    const res = await pool.cli(['users', 'add', 'a@example.org', 'b@example.org', '-g', 'shiny_users', '-g', 'finance']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('unknown group "finance": the user pool has admin_users, dash_users, shiny_users');
    expect((await pool.snapshot()).size).toBe(0);
  });

  it('refuses an invalid email address with exit 2 and writes nothing', async () => {
    const res = await pool.cli(['users', 'add', 'ok@example.org', 'not-an-address', '-g', 'shiny_users']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('"not-an-address" is not a valid email address');
    expect((await pool.snapshot()).size).toBe(0);
  });

  it('--temporary-password reads the password from stdin, and --no-invite conflicts with it', async () => {
    const res = await pool.cli(['users', 'add', 'cy@example.org', '-g', 'dash_users', '--temporary-password'], { input: 'Temp-Passw0rd!x\n' });
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain('temporary password set, no email sent');
    expect(res.stdout + res.stderr).not.toContain('Temp-Passw0rd');
    expect((await pool.snapshot()).get('cy@example.org')?.status).toBe('FORCE_CHANGE_PASSWORD');
    const both = await pool.cli(['users', 'add', 'dee@example.org', '--no-invite', '--temporary-password'], { input: 'x' });
    expect(both.exitCode).toBe(2);
  });

  it('without --group still creates the user, and warns that they will see no app', async () => {
    const res = await pool.cli(['users', 'add', 'gil@example.org']);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain('created gil@example.org (invitation emailed); groups: none');
    expect(res.stderr).toContain('warning: no --group given: this user will see no app after signing in');
    expect(res.stderr).toContain('shinykit users groups <email> --add <group>');
    expect((await pool.snapshot()).get('gil@example.org')?.groups).toEqual([]);
  });

  it('--no-invite creates the user without an invitation', async () => {
    const res = await pool.cli(['users', 'add', 'eve@example.org', '--no-invite', '-g', 'admin_users']);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain('created eve@example.org (no invitation sent)');
  });
});

describe('shinykit users list', () => {
  it('follows pagination past 60 users and prints the JSON contract with groups from per-group listings', async () => {
    for (let i = 0; i < 65; i++) {
      await pool.seed(`user${String(i).padStart(2, '0')}@example.org`, i % 2 === 0 ? ['shiny_users'] : ['dash_users', 'admin_users']);
    }
    const res = await pool.cli(['users', 'list', '--json']);
    expect(res.exitCode).toBe(0);
    const users = JSON.parse(res.stdout) as Listed[];
    expect(users).toHaveLength(65);
    // DESIGN.md's four keys, plus `provider` (issue 9): COGNITO for email + password users.
    expect(Object.keys(users[0]!).sort()).toEqual(['email', 'enabled', 'groups', 'provider', 'status']);
    expect(users[0]).toEqual({ email: 'user00@example.org', status: 'FORCE_CHANGE_PASSWORD', enabled: true, groups: ['shiny_users'], provider: 'COGNITO' });
    expect(users[64]).toEqual({ email: 'user64@example.org', status: 'FORCE_CHANGE_PASSWORD', enabled: true, groups: ['shiny_users'], provider: 'COGNITO' });
    expect(users.find((u) => u.email === 'user63@example.org')?.groups).toEqual(['admin_users', 'dash_users']);

    const dash = JSON.parse((await pool.cli(['users', 'list', '--group', 'dash_users', '--json'])).stdout) as Listed[];
    expect(dash).toHaveLength(32);
    expect(dash.every((u) => u.groups.includes('dash_users') && u.groups.includes('admin_users'))).toBe(true);
  });

  it('prints a table for people and rejects an unknown --group with exit 2', async () => {
    await pool.seed('fay@example.org', ['shiny_users']);
    const res = await pool.cli(['users', 'list']);
    expect(res.exitCode).toBe(0);
    expect(res.stdout.split('\n')[0]).toMatch(/^EMAIL\s+STATUS\s+ENABLED\s+GROUPS$/);
    // Statuses in words for people; the raw Cognito value stays in --json (asserted above).
    expect(res.stdout).toMatch(/fay@example\.org\s+must change password\s+yes\s+shiny_users/);
    expect(res.stdout).not.toContain('FORCE_CHANGE_PASSWORD');
    const bad = await pool.cli(['users', 'list', '--group', 'nope']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('unknown group "nope"');
  });

  it('an empty pool lists as []', async () => {
    const res = await pool.cli(['users', 'list', '--json']);
    expect(res.exitCode).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual([]);
  });
});

describe('shinykit users show / disable / enable / groups / reset / remove', () => {
  it('show prints status, name and groups; an unknown user is exit 2 with a clear message', async () => {
    await pool.cli(['users', 'add', 'gil@example.org', '-g', 'shiny_users', '--name', 'Gil']);
    const res = await pool.cli(['users', 'show', 'GIL@example.org', '--json']);
    expect(res.exitCode).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ email: 'gil@example.org', name: 'Gil', status: 'FORCE_CHANGE_PASSWORD', enabled: true, groups: ['shiny_users'] });
    const missing = await pool.cli(['users', 'show', 'nobody@example.org']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(`no user nobody@example.org in the user pool ${pool.poolId}`);
  });

  it('show tells whether a user has MFA: none for a new user, the authenticator once they enrolled (AdminGetUser UserMFASettingList)', async () => {
    await pool.cli(['users', 'add', 'mia@example.org']);
    const fresh = await pool.cli(['users', 'show', 'mia@example.org']);
    expect(fresh.stdout).toMatch(/^mfa: +none yet \(set up at first sign-in when cognito.mfa is required\)$/m);
    expect(JSON.parse((await pool.cli(['users', 'show', 'mia@example.org', '--json'])).stdout)).toMatchObject({ provider: 'COGNITO', mfa: [] });

    // Mia signs in and enrols an authenticator app the way the login page does it:
    // AssociateSoftwareToken + VerifySoftwareToken with her access token, then TOTP preferred.
    const a = pool.admin;
    await a.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.poolId, Username: 'mia@example.org', Password: 'Correct-Horse-9!', Permanent: true }));
    const app = await a.send(new CreateUserPoolClientCommand({ UserPoolId: pool.poolId, ClientName: 'enrol', ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH'] }));
    const auth = await a.send(
      new AdminInitiateAuthCommand({
        UserPoolId: pool.poolId,
        ClientId: app.UserPoolClient!.ClientId!,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'mia@example.org', PASSWORD: 'Correct-Horse-9!' },
      }),
    );
    const AccessToken = auth.AuthenticationResult!.AccessToken!;
    await a.send(new AssociateSoftwareTokenCommand({ AccessToken }));
    await a.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: '123456' }));
    await a.send(
      new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool.poolId, Username: 'mia@example.org', SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }),
    );
    const enrolled = await pool.cli(['users', 'show', 'mia@example.org']);
    expect(enrolled.stdout).toMatch(/^mfa: +authenticator app \(TOTP\)$/m);
    expect(JSON.parse((await pool.cli(['users', 'show', 'mia@example.org', '--json'])).stdout)).toMatchObject({
      mfa: ['SOFTWARE_TOKEN_MFA'],
      preferredMfa: 'SOFTWARE_TOKEN_MFA',
    });
  });

  it('disable and enable flip the flag and are idempotent', async () => {
    await pool.seed('hal@example.org');
    expect((await pool.cli(['users', 'disable', 'hal@example.org'])).stdout).toContain('disabled hal@example.org');
    expect((await pool.snapshot()).get('hal@example.org')?.enabled).toBe(false);
    expect((await pool.cli(['users', 'disable', 'hal@example.org'])).stdout).toContain('was already disabled');
    expect((await pool.cli(['users', 'enable', 'hal@example.org'])).exitCode).toBe(0);
    expect((await pool.snapshot()).get('hal@example.org')?.enabled).toBe(true);
    expect((await pool.cli(['users', 'enable', 'zed@example.org'])).exitCode).toBe(2);
  });

  it('groups --add/--remove/--set change memberships; unknown groups and conflicting flags are exit 2', async () => {
    await pool.seed('ida@example.org', ['shiny_users']);
    let res = await pool.cli(['users', 'groups', 'ida@example.org', '--add', 'dash_users', '--remove', 'shiny_users']);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain('ida@example.org: +dash_users -shiny_users; groups now: dash_users');
    res = await pool.cli(['users', 'groups', 'ida@example.org', '--set', 'admin_users,shiny_users', '--json']);
    expect(JSON.parse(res.stdout)).toEqual({ email: 'ida@example.org', added: ['admin_users', 'shiny_users'], removed: ['dash_users'], groups: ['admin_users', 'shiny_users'] });
    expect((await pool.snapshot()).get('ida@example.org')?.groups).toEqual(['admin_users', 'shiny_users']);
    expect((await pool.cli(['users', 'groups', 'ida@example.org', '--add', 'nope'])).exitCode).toBe(2);
    expect((await pool.cli(['users', 'groups', 'ida@example.org', '--set', 'a', '--add', 'b'])).exitCode).toBe(2);
    expect((await pool.cli(['users', 'groups', 'ida@example.org'])).exitCode).toBe(2);
    expect((await pool.snapshot()).get('ida@example.org')?.groups).toEqual(['admin_users', 'shiny_users']);
  });

  it('reset resends the invitation to a user who never signed in', async () => {
    await pool.seed('jo@example.org');
    const res = await pool.cli(['users', 'reset', 'jo@example.org']);
    expect(res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain('resent the invitation to jo@example.org');
    expect((await pool.cli(['users', 'reset', 'nobody@example.org'])).exitCode).toBe(2);
  });

  it('remove needs --yes without a terminal (exit 2, user kept), and removes with it', async () => {
    await pool.seed('kim@example.org', ['dash_users']);
    const refused = await pool.cli(['users', 'remove', 'kim@example.org']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('refusing to remove kim@example.org without confirmation');
    expect((await pool.snapshot()).has('kim@example.org')).toBe(true);
    const removed = await pool.cli(['users', 'remove', 'kim@example.org', '--yes']);
    expect(removed.exitCode).toBe(0);
    expect(removed.stdout).toContain('removed kim@example.org');
    expect((await pool.snapshot()).size).toBe(0);
    expect((await pool.cli(['users', 'remove', 'kim@example.org', '--yes'])).exitCode).toBe(2);
  });
});
