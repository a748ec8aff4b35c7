/**
 * Cognito's user statuses (UserStatusType) in words for people; `--json` keeps
 * the raw value. Source: the Cognito API reference, UserType.UserStatus.
 */
const WORDS: Readonly<Record<string, string>> = {
  FORCE_CHANGE_PASSWORD: 'must change password',
  CONFIRMED: 'active',
  RESET_REQUIRED: 'must reset password',
  UNCONFIRMED: 'unconfirmed',
  COMPROMISED: 'password compromised (must reset)',
  EXTERNAL_PROVIDER: 'signs in through a provider',
  ARCHIVED: 'archived',
  UNKNOWN: 'unknown',
};

export function statusInWords(status: string): string {
  return WORDS[status] ?? status.toLowerCase().replace(/_/g, ' ');
}
