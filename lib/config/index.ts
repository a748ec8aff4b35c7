/**
 * shinykit.yaml: the one file that describes a deployment.
 *
 * The CDK app (bin/) and the CLI (cli/) both load it through `loadConfig`, so a value
 * is typed once and checked once. What lives where:
 * - schema.ts           the schema and its types (Config, AppConfig); cross-section rules
 * - identity-schema.ts  the `cognito` section; identity-rules.ts its rules and derived values
 * - fields.ts           field types several sections share (names, CIDRs, URLs)
 * - load.ts             reading and parsing the file, with the line of every problem
 * - files.ts            files the config names (SAML metadata), read at the edge
 * - storage.ts          `apps[].storage` and its rules
 * - derived.ts, domain-prefix.ts, fargate.ts, versions.ts, instance-types.ts: values
 *   derived from a config, and the tables they need
 */
export { ConfigSchema, DEFAULT_APP_MEMORY, DEFAULT_PORTS, WIDEST_SSH_PREFIX, ACME_PROFILES, type AppConfig, type AppKind, type Config, type ConfigInput } from './schema.js';
export { ConfigError, configLocator, formatPath, formatProblem, lineFinder, loadConfig, parseConfig, type ConfigProblem } from './load.js';
export { appArchitecture, appPort, groupNames, hostArchitecture, repositoryName, targetPlatform } from './derived.js';
export * from './domain-prefix.js';
export { DEFAULT_FARGATE_SIZE, FARGATE_SIZES, ecsSettings, fargateSize, memoryMiB } from './fargate.js';
export { DEFAULT_SHINYPROXY_VERSION, MIN_SHINYPROXY_VERSION, compareVersions } from './versions.js';
export { instanceTypeProblem } from './instance-types.js';
export { DEFAULT_STORAGE_PATH, HOST_STORAGE_METADATA_KEY, STORAGE_DIR_ENV, hostStorageApps, type HostStorageApp, type StorageConfig } from './storage.js';
export { GOOGLE_PROVIDER_NAME, GROUPS_ATTRIBUTE, SAML_EMAIL_CLAIM, SES_ALTERNATE_REGIONS, type IdentityProviderConfig } from './identity-schema.js';
export {
  groupSendingProviders,
  identityProviderName,
  loginIdentityProvider,
  mapsProviderGroups,
  needsGroupTrigger,
  parseMappingKey,
  triggerGroupMapping,
  trustedEmailProviders,
} from './identity-rules.js';
