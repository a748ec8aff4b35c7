/**
 * The user pool, seen as what shinykit manages: users keyed by email address,
 * their status and their groups. Every Cognito call of the `users` and `groups`
 * commands goes through here; `call` wraps each request (the bulk import passes
 * its Pacer, one-off commands call straight through).
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminResetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  ListGroupsCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
  type GroupType,
} from '@aws-sdk/client-cognito-identity-provider';
import { UsageError } from '../lib/errors.js';
import { emailOf } from './email.js';

export interface DirectoryUser {
  readonly email: string;
  /** Cognito's user name (a UUID when the pool signs in by email). */
  readonly username: string;
  readonly name?: string;
  readonly status: string;
  readonly enabled: boolean;
  readonly created?: string;
  /** Where the user signs in: `COGNITO` (email + password) or the identity provider's name. */
  readonly provider?: string;
  /** Last change to the user (a resent invitation resets the temporary password, so it counts). */
  readonly modified?: string;
  /** AdminGetUser only: the MFA factors the user has set up (UserMFASettingList), e.g. SOFTWARE_TOKEN_MFA. */
  readonly mfa?: readonly string[];
  /** AdminGetUser only: the factor Cognito asks for first (PreferredMfaSetting). */
  readonly preferredMfa?: string;
}

export interface PoolGroup {
  readonly name: string;
  readonly description?: string;
  readonly precedence?: number;
}

export interface NewUser {
  readonly email: string;
  readonly name?: string;
  /** false: no invitation email (MessageAction SUPPRESS). */
  readonly invite: boolean;
  /** Set by the admin; Cognito then sends no email (the admin hands it over). */
  readonly temporaryPassword?: string;
}

export type Call = <T>(fn: () => Promise<T>) => Promise<T>;
const direct: Call = (fn) => fn();

/** ListUsers and ListUsersInGroup return at most 60 per page. */
const PAGE = 60;

export class Directory {
  constructor(
    readonly client: CognitoIdentityProviderClient,
    readonly poolId: string,
    private readonly call: Call = direct,
  ) {}

  /** A copy whose requests go through `call` (the import's pacer). */
  withCall(call: Call): Directory {
    return new Directory(this.client, this.poolId, call);
  }

  async listGroups(): Promise<PoolGroup[]> {
    const groups: GroupType[] = [];
    let token: string | undefined;
    do {
      const res = await this.call(() => this.client.send(new ListGroupsCommand({ UserPoolId: this.poolId, Limit: PAGE, NextToken: token })));
      groups.push(...(res.Groups ?? []));
      token = res.NextToken;
    } while (token);
    return groups
      .map((g) => ({ name: g.GroupName ?? '', description: g.Description, precedence: g.Precedence }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Refuses, before anything is written, groups the pool does not have. */
  async requireGroups(wanted: Iterable<string>, known?: readonly PoolGroup[]): Promise<readonly PoolGroup[]> {
    const groups = known ?? (await this.listGroups());
    const names = new Set(groups.map((g) => g.name));
    const unknown = [...new Set(wanted)].filter((g) => !names.has(g));
    if (unknown.length > 0) {
      throw new UsageError(
        `unknown group${unknown.length > 1 ? 's' : ''} ${unknown.map((g) => `"${g}"`).join(', ')}: the user pool has ${
          names.size ? [...names].join(', ') : 'no groups'
        }`,
        { hint: 'use one of those groups, or declare the group in shinykit.yaml and deploy (`npx shinykit deploy`)' },
      );
    }
    return groups;
  }

  async listUsers(): Promise<DirectoryUser[]> {
    const users: DirectoryUser[] = [];
    let token: string | undefined;
    do {
      const res = await this.call(() =>
        this.client.send(new ListUsersCommand({ UserPoolId: this.poolId, Limit: PAGE, PaginationToken: token })),
      );
      users.push(...(res.Users ?? []).map((u) => toUser(u.Username, u.Attributes, u.UserStatus, u.Enabled, u.UserCreateDate, u.UserLastModifiedDate)));
      token = res.PaginationToken;
    } while (token);
    return users;
  }

  async listGroupMembers(group: string): Promise<DirectoryUser[]> {
    const users: DirectoryUser[] = [];
    let token: string | undefined;
    do {
      const res = await this.call(() =>
        this.client.send(new ListUsersInGroupCommand({ UserPoolId: this.poolId, GroupName: group, Limit: PAGE, NextToken: token })),
      );
      users.push(...(res.Users ?? []).map((u) => toUser(u.Username, u.Attributes, u.UserStatus, u.Enabled, u.UserCreateDate)));
      token = res.NextToken;
    } while (token);
    return users;
  }

  /**
   * Groups of every user, by email: one ListUsersInGroup walk per group rather
   * than one AdminListGroupsForUser per user (a pool has few groups, many users).
   */
  async groupsByEmail(groups: readonly string[]): Promise<Map<string, string[]>> {
    const byEmail = new Map<string, string[]>();
    for (const group of groups) {
      for (const member of await this.listGroupMembers(group)) {
        const list = byEmail.get(member.email) ?? [];
        list.push(group);
        byEmail.set(member.email, list);
      }
    }
    for (const list of byEmail.values()) list.sort();
    return byEmail;
  }

  /** The user, or undefined when the pool has no such user. */
  async findUser(email: string): Promise<DirectoryUser | undefined> {
    try {
      const res = await this.call(() => this.client.send(new AdminGetUserCommand({ UserPoolId: this.poolId, Username: email })));
      return {
        ...toUser(res.Username, res.UserAttributes, res.UserStatus, res.Enabled, res.UserCreateDate, res.UserLastModifiedDate),
        mfa: res.UserMFASettingList ?? [],
        ...(res.PreferredMfaSetting ? { preferredMfa: res.PreferredMfaSetting } : {}),
      };
    } catch (err) {
      if (isNamed(err, 'UserNotFoundException')) return undefined;
      throw err;
    }
  }

  /** The user, or a usage error (exit 2): naming a user who does not exist is bad input. */
  async getUser(email: string): Promise<DirectoryUser> {
    const user = await this.findUser(email);
    if (!user) {
      throw new UsageError(`no user ${email} in the user pool ${this.poolId}`, {
        hint: 'check the address (`shinykit users list`), or add the user with `shinykit users add`',
      });
    }
    return user;
  }

  async groupsOf(email: string): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.call(() =>
        this.client.send(new AdminListGroupsForUserCommand({ UserPoolId: this.poolId, Username: email, Limit: PAGE, NextToken: token })),
      );
      names.push(...(res.Groups ?? []).map((g) => g.GroupName ?? ''));
      token = res.NextToken;
    } while (token);
    return names.sort();
  }

  /**
   * Creates the user; 'exists' when the pool already has them. A retried create
   * whose first attempt succeeded but lost its answer also ends here as 'exists',
   * which is what makes re-running an import safe.
   */
  async createUser(user: NewUser): Promise<'created' | 'exists'> {
    const attributes: AttributeType[] = [
      { Name: 'email', Value: user.email },
      { Name: 'email_verified', Value: 'true' },
    ];
    if (user.name) attributes.push({ Name: 'name', Value: user.name });
    try {
      await this.call(() =>
        this.client.send(
          new AdminCreateUserCommand({
            UserPoolId: this.poolId,
            Username: user.email,
            UserAttributes: attributes,
            DesiredDeliveryMediums: ['EMAIL'],
            ...(user.temporaryPassword ? { TemporaryPassword: user.temporaryPassword } : {}),
            ...(!user.invite || user.temporaryPassword ? { MessageAction: 'SUPPRESS' as const } : {}),
          }),
        ),
      );
      return 'created';
    } catch (err) {
      if (isNamed(err, 'UsernameExistsException')) return 'exists';
      throw err;
    }
  }

  /**
   * Sends the invitation again (AdminCreateUser RESEND) with a new temporary
   * password; only for users who never signed in (FORCE_CHANGE_PASSWORD).
   */
  async resendInvitation(email: string): Promise<void> {
    await this.call(() =>
      this.client.send(new AdminCreateUserCommand({ UserPoolId: this.poolId, Username: email, MessageAction: 'RESEND', DesiredDeliveryMediums: ['EMAIL'] })),
    );
  }

  async setName(email: string, name: string): Promise<void> {
    await this.call(() =>
      this.client.send(
        new AdminUpdateUserAttributesCommand({ UserPoolId: this.poolId, Username: email, UserAttributes: [{ Name: 'name', Value: name }] }),
      ),
    );
  }

  /** Idempotent in Cognito: adding a member again is not an error. */
  async addToGroup(email: string, group: string): Promise<void> {
    await this.call(() => this.client.send(new AdminAddUserToGroupCommand({ UserPoolId: this.poolId, Username: email, GroupName: group })));
  }

  async removeFromGroup(email: string, group: string): Promise<void> {
    await this.call(() =>
      this.client.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: this.poolId, Username: email, GroupName: group })),
    );
  }

  async setEnabled(email: string, enabled: boolean): Promise<void> {
    const input = { UserPoolId: this.poolId, Username: email };
    await this.call(() => this.client.send(enabled ? new AdminEnableUserCommand(input) : new AdminDisableUserCommand(input)));
  }

  async deleteUser(email: string): Promise<void> {
    await this.call(() => this.client.send(new AdminDeleteUserCommand({ UserPoolId: this.poolId, Username: email })));
  }

  /**
   * A user who never signed in (FORCE_CHANGE_PASSWORD) gets the invitation again
   * with a new temporary password; anyone else gets a password-reset code
   * (Cognito refuses AdminResetUserPassword for users who never signed in).
   */
  async reset(user: DirectoryUser): Promise<'invitation-resent' | 'password-reset'> {
    if (user.status === 'FORCE_CHANGE_PASSWORD') {
      await this.resendInvitation(user.email);
      return 'invitation-resent';
    }
    await this.call(() => this.client.send(new AdminResetUserPasswordCommand({ UserPoolId: this.poolId, Username: user.email })));
    return 'password-reset';
  }
}

function toUser(
  username: string | undefined,
  attributes: readonly AttributeType[] | undefined,
  status: string | undefined,
  enabled: boolean | undefined,
  created: Date | undefined,
  modified?: Date,
): DirectoryUser {
  const name = attributes?.find((a) => a.Name === 'name')?.Value;
  return {
    email: emailOf({ Username: username, Attributes: attributes }),
    username: username ?? '',
    ...(name ? { name } : {}),
    status: status ?? 'UNKNOWN',
    enabled: enabled ?? true,
    ...(created ? { created: created.toISOString() } : {}),
    ...(modified ? { modified: modified.toISOString() } : {}),
    provider: providerOf(username, attributes, status),
  };
}

/** Cognito's name for its own (email + password) users, as in the app client's provider list. */
export const LOCAL_PROVIDER = 'COGNITO';

/**
 * The provider a user signs in with. Federated users have the status
 * EXTERNAL_PROVIDER, an `identities` attribute (JSON: [{ providerName, ... }])
 * and a user name `<provider>_<subject>`; the attribute is preferred, the user
 * name prefix is the fallback.
 */
export function providerOf(
  username: string | undefined,
  attributes: readonly AttributeType[] | undefined,
  status: string | undefined,
): string {
  const identities = attributes?.find((a) => a.Name === 'identities')?.Value;
  if (identities) {
    try {
      const list = JSON.parse(identities) as Array<{ providerName?: unknown }>;
      const name = Array.isArray(list) ? list.find((i) => typeof i?.providerName === 'string')?.providerName : undefined;
      if (typeof name === 'string' && name !== '') return name;
    } catch {
      // fall through to the user name
    }
  }
  if (status === 'EXTERNAL_PROVIDER' && username && username.includes('_')) return username.slice(0, username.indexOf('_'));
  return LOCAL_PROVIDER;
}

export function isNamed(err: unknown, name: string): boolean {
  return err instanceof Error && err.name === name;
}

/**
 * Cognito's answer when its own email sender has used the day's allowance:
 * LimitExceededException, "Exceeded daily email limit for the operation or the
 * account. If a higher limit is required, please configure your user pool to use
 * your own Amazon SES configuration for sending email." (quoted in
 * aws-amplify/amplify-cli#7412). Other limits share the exception name.
 */
export function isEmailCapError(err: unknown): boolean {
  return isNamed(err, 'LimitExceededException') && /email/i.test((err as Error).message);
}
