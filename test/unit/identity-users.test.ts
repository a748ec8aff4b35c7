/**
 * `users list` names the provider a user signs in with: COGNITO for email +
 * password users, else the identity provider, from the `identities` attribute
 * Cognito keeps on federated users, or their `<provider>_<subject>` user name.
 * (Pure: moto cannot create federated users, which only a real sign-in makes.)
 */
import { describe, expect, it } from 'vitest';
import { providerOf } from '../../cli/users/directory.js';

const identities = (name: string) =>
  JSON.stringify([{ userId: '1234567890', providerName: name, providerType: 'OIDC', issuer: null, primary: true, dateCreated: 1700000000000 }]);

describe('providerOf', () => {
  it('reads the provider from the identities attribute of a federated user', () => {
    expect(providerOf('EntraID_abc', [{ Name: 'identities', Value: identities('EntraID') }], 'EXTERNAL_PROVIDER')).toBe('EntraID');
    expect(providerOf('google_1098', [{ Name: 'identities', Value: identities('Google') }], 'EXTERNAL_PROVIDER')).toBe('Google');
  });

  it('falls back to the user name prefix when identities is missing or malformed', () => {
    expect(providerOf('google_109876', [], 'EXTERNAL_PROVIDER')).toBe('google');
    expect(providerOf('Okta_ana@example.org', [{ Name: 'identities', Value: 'not json' }], 'EXTERNAL_PROVIDER')).toBe('Okta');
  });

  it('calls every other user a local (COGNITO) user', () => {
    expect(providerOf('7d8ca528-4931-4254-9273-ea5ee853f271', [{ Name: 'email', Value: 'a@example.org' }], 'CONFIRMED')).toBe('COGNITO');
    expect(providerOf('7d8ca528', undefined, 'FORCE_CHANGE_PASSWORD')).toBe('COGNITO');
    // An underscore in a local user name is not a provider prefix.
    expect(providerOf('local_name', [], 'CONFIRMED')).toBe('COGNITO');
  });
});
