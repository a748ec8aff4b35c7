// Types for the tests (TypeScript); not part of the deployed function (excluded from the asset).
export declare const GROUPS_ATTRIBUTE: 'custom:groups';
export interface Settings {
  readonly mapping: Record<string, string[]>;
  readonly defaults: string[];
  /** Allowed email domains (lower-case); empty: any. */
  readonly emailDomains?: string[];
  /** Providers (lower-case) whose email counts as verified without email_verified. */
  readonly trustedEmailProviders?: string[];
}
export declare function providerOf(userAttributes: Record<string, string> | undefined): string | undefined;
export declare function parseProviderGroups(value: unknown): string[];
export declare function isFederated(userAttributes: Record<string, string> | undefined): boolean;
export declare function mergeGroups(input: {
  existing?: readonly string[];
  provider?: string;
  providerGroups?: readonly string[];
  mapping?: Record<string, string[]>;
  defaults?: readonly string[];
}): string[];
export declare function emailAllowed(email: unknown, domains?: readonly string[], opts?: { verified?: boolean }): boolean;
export declare function loadSettings(env: Record<string, string | undefined>): Settings;
export declare function applyToEvent<T extends Record<string, any>>(event: T, settings: Settings): T;
