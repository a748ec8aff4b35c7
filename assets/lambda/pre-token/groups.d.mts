// Types for the tests (TypeScript); not part of the deployed function (excluded from the asset).
export declare const GROUPS_ATTRIBUTE: 'custom:groups';
export interface Settings {
  readonly mapping: Record<string, string[]>;
  readonly defaults: string[];
  /** Allowed email domains (lower-case); empty: any. */
  readonly emailDomains?: string[];
}
export declare function parseProviderGroups(value: unknown): string[];
export declare function isFederated(userAttributes: Record<string, string> | undefined): boolean;
export declare function mergeGroups(input: {
  existing?: readonly string[];
  providerGroups?: readonly string[];
  mapping?: Record<string, string[]>;
  defaults?: readonly string[];
}): string[];
export declare function emailAllowed(email: unknown, domains?: readonly string[]): boolean;
export declare function loadSettings(env: Record<string, string | undefined>): Settings;
export declare function applyToEvent<T extends Record<string, any>>(event: T, settings: Settings): T;
