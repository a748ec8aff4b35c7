/**
 * A user pool in moto for the `users`/`groups` end-to-end tests, and the files
 * the CLI reads to find it: the bundled shinykit.yaml and a cdk-outputs.json in
 * a temp dir whose stack names come from stackNames(cfg), as `cdk deploy` writes them.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolCommand,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../lib/config/index.js';
import { stackNames } from '../../lib/outputs.js';
import { ROOT, runCli, type CliResult } from './cli.js';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startMoto, TEST_REGION, type Moto } from './moto.js';

export const CONFIG = join(ROOT, 'shinykit.yaml');
export const GROUPS = { admin_users: 'Every app and the ShinyProxy admin page', shiny_users: 'The Shiny example app', dash_users: 'The Dash example app' };

export interface PoolFixture {
  /** The moto_server holding the pool (its url for proxies, its env for other clients). */
  readonly moto: Moto;
  readonly poolId: string;
  readonly dir: string;
  readonly outputs: string;
  readonly admin: CognitoIdentityProviderClient;
  /** Runs the built CLI against this pool (through `endpoint`, default moto itself). */
  cli(args: readonly string[], opts?: { input?: string; endpoint?: string; timeoutMs?: number }): Promise<CliResult>;
  /** Every user in the pool, by email, with groups (read straight from moto). */
  snapshot(): Promise<Map<string, { status: string; enabled: boolean; name?: string; groups: string[] }>>;
  seed(email: string, groups?: readonly string[]): Promise<void>;
}

export function adminClient(moto: Moto): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint: moto.url,
    region: TEST_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}

/** A fresh pool signing in by email (as the stacks make it), with the bundled config's groups. */
export async function createPool(moto: Moto, groups: Record<string, string> = GROUPS): Promise<PoolFixture> {
  const admin = adminClient(moto);
  const pool = await admin.send(new CreateUserPoolCommand({ PoolName: 'analytics-users', UsernameAttributes: ['email'] }));
  const poolId = pool.UserPool!.Id!;
  for (const [GroupName, Description] of Object.entries(groups)) {
    await admin.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName, Description }));
  }
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-users-'));
  const outputs = join(dir, 'cdk-outputs.json');
  const names = stackNames(loadConfig(CONFIG));
  writeFileSync(
    outputs,
    JSON.stringify({ [names.data]: { UserPoolId: poolId, Region: TEST_REGION }, [names.host]: { HostInstanceId: 'i-0123456789abcdef0' } }, null, 2),
  );
  const fixture: PoolFixture = {
    moto,
    poolId,
    dir,
    outputs,
    admin,
    cli: (args, opts = {}) =>
      runCli(['--config', CONFIG, '--outputs', outputs, ...args], {
        cwd: dir,
        input: opts.input,
        timeoutMs: opts.timeoutMs,
        env: {
          ...moto.env,
          // These tests check stderr is otherwise clean: on a supported Node (22+) the SDK prints
          // no version notice, so none is switched off here.
          ...(opts.endpoint ? { AWS_ENDPOINT_URL: opts.endpoint } : {}),
        },
      }),
    snapshot: async () => {
      const users: UserType[] = [];
      let token: string | undefined;
      do {
        const res = await admin.send(new ListUsersCommand({ UserPoolId: poolId, PaginationToken: token }));
        users.push(...(res.Users ?? []));
        token = res.PaginationToken;
      } while (token);
      const out = new Map<string, { status: string; enabled: boolean; name?: string; groups: string[] }>();
      for (const u of users) {
        const email = u.Attributes?.find((a) => a.Name === 'email')?.Value ?? '';
        if (out.has(email)) throw new Error(`duplicate user ${email} in the pool`);
        const g = await admin.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: email }));
        out.set(email, {
          status: u.UserStatus ?? '',
          enabled: u.Enabled ?? true,
          name: u.Attributes?.find((a) => a.Name === 'name')?.Value,
          groups: (g.Groups ?? []).map((x) => x.GroupName ?? '').sort(),
        });
      }
      return out;
    },
    seed: async (email, seedGroups = []) => {
      await admin.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: email,
          MessageAction: 'SUPPRESS',
          UserAttributes: [{ Name: 'email', Value: email }],
        }),
      );
      for (const GroupName of seedGroups) await admin.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: email, GroupName }));
    },
  };
  return fixture;
}

/**
 * The hooks most `users` e2e files share: one moto_server for the file, reset and
 * given a fresh pool before each test. The handle returned forwards to the current
 * test's pool, so test bodies use it as they would the fixture itself.
 */
export function freshPoolEachTest(): PoolFixture {
  let moto: Moto | undefined;
  let pool: PoolFixture | undefined;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto!.reset();
    pool = await createPool(moto!);
  });
  const current = (): PoolFixture => {
    if (!pool) throw new Error('the users pool fixture is only there inside a test');
    return pool;
  };
  return {
    get moto() {
      return current().moto;
    },
    get poolId() {
      return current().poolId;
    },
    get dir() {
      return current().dir;
    },
    get outputs() {
      return current().outputs;
    },
    get admin() {
      return current().admin;
    },
    cli: (args, opts) => current().cli(args, opts),
    snapshot: () => current().snapshot(),
    seed: (email, groups) => current().seed(email, groups),
  };
}
