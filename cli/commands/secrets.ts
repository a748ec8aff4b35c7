/**
 * `shinykit secrets set <app> <NAME>` and `shinykit secrets list <app>`: the SecureStrings the
 * kit keeps for an app's `apps[].secrets`, at /shinykit-secrets/<project>/<app>/<NAME>.
 *
 * A value comes from a prompt with echo off (on a terminal) or from stdin, never from argv, and
 * is never printed; `list` reads metadata only (DescribeParameters, DescribeSecret). The host
 * role may read a parameter only once shinykit.yaml names it and the stacks are deployed (IAM is
 * generated from the config), so `set` prints the line to add when the config lacks it.
 */
import { Command } from 'commander';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ENV_NAME, appSecrets, kitSecretParameterName, type AppConfig, type Config } from '../../lib/config/index.js';
import { PROJECT_TAG_KEY } from '../../lib/outputs.js';
import { sdk } from '../lib/aws.js';
import { createContext } from '../lib/context.js';
import { UsageError } from '../lib/errors.js';
import { terminalPrompt } from '../users/prompt.js';
import { table } from './users/list.js';

/** Parameter Store's Standard tier holds 4 KB; Advanced parameters cost money, so the kit does not create them. */
export const MAX_SECRET_BYTES = 4096;

export interface SecretsDeps {
  readonly config: Config;
  ssm(): SSMClient;
  secretsManager(): SecretsManagerClient;
}

export interface SecretSetResult {
  readonly app: string;
  readonly name: string;
  /** The parameter's name in Parameter Store. */
  readonly parameter: string;
  readonly version: number;
  readonly created: boolean;
  /** yes: shinykit.yaml references this parameter; other: it maps NAME to another reference; no: it lacks NAME. */
  readonly referenced: 'yes' | 'other' | 'no';
  /** The reference shinykit.yaml should carry for NAME: `ssm:<parameter>`. */
  readonly reference: string;
}

function findApp(cfg: Config, appId: string): { app: AppConfig; index: number } {
  const index = cfg.apps.findIndex((a) => a.id === appId);
  if (index < 0) {
    throw new UsageError(`shinykit.yaml has no app "${appId}"`, { hint: `its apps: ${cfg.apps.map((a) => a.id).join(', ')}` });
  }
  return { app: cfg.apps[index]!, index };
}

/** Checks the app and NAME, then reads the value (prompt or stdin) and stores it as a SecureString. */
export async function runSecretsSet(opts: { app: string; name: string; readValue: () => Promise<string> }, deps: SecretsDeps): Promise<SecretSetResult> {
  const cfg = deps.config;
  const { app } = findApp(cfg, opts.app);
  if (!ENV_NAME.test(opts.name)) {
    throw new UsageError(`"${opts.name}" is not an environment variable name`, { hint: 'use letters, digits and "_", not starting with a digit, such as DB_PASSWORD' });
  }
  if (app.env && opts.name in app.env) {
    throw new UsageError(`${opts.name} is a plain setting of app ${app.id} (apps[].env); a name is a setting or a secret, not both`, {
      hint: `remove ${opts.name} from env in shinykit.yaml first`,
    });
  }
  const value = await opts.readValue();
  if (value === '') throw new UsageError('no value was given (the prompt answer or stdin was empty); nothing was stored');
  if (Buffer.byteLength(value, 'utf8') > MAX_SECRET_BYTES) {
    throw new UsageError(`the value is ${Buffer.byteLength(value, 'utf8')} bytes; a Standard Parameter Store parameter holds at most ${MAX_SECRET_BYTES}`, {
      hint: 'store a larger value in Secrets Manager yourself and reference it as secretsmanager:<name> under apps[].secrets',
    });
  }
  const parameter = kitSecretParameterName(cfg.name, app.id, opts.name);
  const { PutParameterCommand, ParameterAlreadyExists } = sdk.ssm();
  const description = `shinykit ${cfg.name}: secret ${opts.name} of app ${app.id} (shinykit secrets set)`;
  let version: number;
  let created = true;
  try {
    // Tags only on creation: PutParameter refuses Tags together with Overwrite.
    const res = await deps.ssm().send(new PutParameterCommand({
      Name: parameter, Value: value, Type: 'SecureString', Tier: 'Standard', Description: description,
      Tags: [{ Key: PROJECT_TAG_KEY, Value: cfg.name }, { Key: 'shinykit:app', Value: app.id }],
    }));
    version = res.Version ?? 1;
  } catch (err) {
    if (!(err instanceof ParameterAlreadyExists) && (err as { name?: string }).name !== 'ParameterAlreadyExists') throw err;
    created = false;
    const res = await deps.ssm().send(new PutParameterCommand({ Name: parameter, Value: value, Type: 'SecureString', Tier: 'Standard', Description: description, Overwrite: true }));
    version = res.Version ?? 0;
  }
  const reference = `ssm:${parameter}`;
  const current = app.secrets?.[opts.name];
  return { app: app.id, name: opts.name, parameter, version, created, referenced: current === undefined ? 'no' : current === reference ? 'yes' : 'other', reference };
}

export interface ListedSecret {
  readonly name: string;
  readonly service: 'ssm' | 'secretsmanager';
  /** As shinykit.yaml writes it (ssm:/…, secretsmanager:…, or an ARN). */
  readonly reference: string;
  /** Named under apps[].secrets (false: a kit-owned parameter the config does not use). */
  readonly inConfig: boolean;
  /** false: not found; null: not checked (an ARN in another region or account). */
  readonly exists: boolean | null;
  /** ISO time of the last change, when known. */
  readonly lastChanged: string | null;
}

/** Names, where each lives and when it last changed; never a value (metadata calls only). */
export async function runSecretsList(opts: { app: string }, deps: SecretsDeps & { region?: string }): Promise<ListedSecret[]> {
  const cfg = deps.config;
  const { app } = findApp(cfg, opts.app);
  const { DescribeParametersCommand } = sdk.ssm();
  const describe = async (filter: { Key: string; Option: string; Values: string[] }) => {
    const found = new Map<string, { lastChanged: string | null }>();
    let NextToken: string | undefined;
    do {
      const page = await deps.ssm().send(new DescribeParametersCommand({ ParameterFilters: [filter], NextToken, MaxResults: 50 }));
      for (const p of page.Parameters ?? []) found.set(p.Name!, { lastChanged: p.LastModifiedDate?.toISOString() ?? null });
      NextToken = page.NextToken;
    } while (NextToken);
    return found;
  };
  const prefix = kitSecretParameterName(cfg.name, app.id, '').replace(/\/$/, '');
  const kitOwned = await describe({ Key: 'Path', Option: 'OneLevel', Values: [prefix] });
  const refs = appSecrets(app);
  // A reference by ARN is looked up only in this region (the CLI's clients); elsewhere it is "not checked".
  const local = (r: (typeof refs)[number]['ref']) => !r.arn || r.region === deps.region;
  const ssmNames = refs.filter(({ ref }) => ref.service === 'ssm' && local(ref) && !kitOwned.has(ref.name)).map(({ ref }) => ref.name);
  const others = ssmNames.length ? await describe({ Key: 'Name', Option: 'Equals', Values: [...new Set(ssmNames)] }) : new Map();
  const out: ListedSecret[] = [];
  for (const { env, ref } of refs) {
    if (ref.service === 'ssm') {
      const meta = kitOwned.get(ref.name) ?? others.get(ref.name);
      out.push({ name: env, service: 'ssm', reference: ref.reference, inConfig: true, exists: local(ref) ? Boolean(meta) : null, lastChanged: meta?.lastChanged ?? null });
    } else {
      out.push({ name: env, service: 'secretsmanager', reference: ref.reference, inConfig: true, ...(local(ref) ? await describeSecret(deps, ref.arn ?? ref.name) : { exists: null, lastChanged: null }) });
    }
  }
  const used = new Set(refs.filter(({ ref }) => ref.service === 'ssm').map(({ ref }) => ref.name));
  for (const [parameter, meta] of [...kitOwned].sort(([a], [b]) => a.localeCompare(b))) {
    if (used.has(parameter)) continue;
    out.push({ name: parameter.slice(prefix.length + 1), service: 'ssm', reference: `ssm:${parameter}`, inConfig: false, exists: true, lastChanged: meta.lastChanged });
  }
  return out;
}

async function describeSecret(deps: SecretsDeps, id: string): Promise<{ exists: boolean; lastChanged: string | null }> {
  const { DescribeSecretCommand, ResourceNotFoundException } = sdk.secretsManager();
  try {
    const res = await deps.secretsManager().send(new DescribeSecretCommand({ SecretId: id }));
    return { exists: true, lastChanged: (res.LastChangedDate ?? res.CreatedDate)?.toISOString() ?? null };
  } catch (err) {
    if (err instanceof ResourceNotFoundException || (err as { name?: string }).name === 'ResourceNotFoundException') return { exists: false, lastChanged: null };
    throw err;
  }
}

export function secretsCommand(): Command {
  const secrets = new Command('secrets').description("an app's secret environment variables (apps[].secrets), kept as SecureStrings in Parameter Store");
  secrets.addCommand(
    new Command('set')
      .description('store the value of secret NAME for APP (asked with echo off, or read from stdin; never an argument) at /shinykit-secrets/<project>/<app>/<NAME>')
      .argument('<app>', 'the app id in shinykit.yaml')
      .argument('<name>', 'the environment variable name the app reads, such as DB_PASSWORD')
      .option('--json', 'print { app, name, parameter, version, created, referenced, reference } (never the value)')
      .action(async (appId: string, name: string, o: { json?: boolean }, cmd: Command) => {
        const ctx = createContext(cmd);
        const cfg = ctx.config();
        const aws = await ctx.aws();
        const prompt = terminalPrompt(ctx.out.isTTY.stdin);
        const result = await runSecretsSet(
          { app: appId, name, readValue: () => prompt.secret(`Value of ${name} for ${appId} (not shown): `) },
          { config: cfg, ssm: () => aws.ssm(), secretsManager: () => aws.secretsManager() },
        );
        if (o.json) return ctx.out.json(result);
        ctx.out.result(`${result.created ? 'stored' : 'updated'} ${result.name} of ${result.app} in Parameter Store: ${result.parameter} (version ${result.version}; the value is not shown)`);
        const i = cfg.apps.findIndex((a) => a.id === result.app);
        if (result.referenced === 'no') {
          ctx.out.result(`next: add it to ${ctx.options.config} under apps[${i}] (${result.app}):`);
          ctx.out.result('    secrets:');
          ctx.out.result(`      ${result.name}: ${result.reference}`);
          ctx.out.result('then deploy the stacks (the role that reads it may read only what the config names) and run `shinykit apply`');
        } else if (result.referenced === 'other') {
          ctx.out.warn(`apps[${i}].secrets.${result.name} in ${ctx.options.config} is ${cfg.apps[i]!.secrets![result.name]}, not ${result.reference}: the app keeps reading that one`);
        } else if (cfg.backend === 'ecs') {
          ctx.out.result('new sessions get the new value (ECS reads it when each task starts); running sessions keep the old one');
        } else {
          ctx.out.result('next: `shinykit apply` puts it on the host; new sessions get it, running sessions keep the old value');
        }
      }),
  );
  secrets.addCommand(
    new Command('list')
      .description("list APP's secrets: each name, where it lives, whether shinykit.yaml uses it and when it last changed (never values)")
      .argument('<app>', 'the app id in shinykit.yaml')
      .option('--json', 'print a JSON array of { name, service, reference, inConfig, exists, lastChanged }')
      .action(async (appId: string, o: { json?: boolean }, cmd: Command) => {
        const ctx = createContext(cmd);
        const cfg = ctx.config();
        const aws = await ctx.aws();
        const region = aws.settings.region ?? (await aws.ssm().config.region());
        const list = await runSecretsList({ app: appId }, { config: cfg, ssm: () => aws.ssm(), secretsManager: () => aws.secretsManager(), region });
        if (o.json) return ctx.out.json(list);
        if (list.length === 0) {
          ctx.out.result(`${appId} has no secrets (none under apps[].secrets in ${ctx.options.config}, none stored by \`shinykit secrets set\`)`);
          return;
        }
        const rows = list.map((s) => [
          s.name,
          s.reference,
          s.inConfig ? 'yes' : 'no',
          s.exists === null ? 'not checked' : s.exists ? (s.lastChanged ?? '-') : 'MISSING',
        ]);
        for (const line of table(['NAME', 'WHERE', 'IN CONFIG', 'LAST CHANGED'], rows)) ctx.out.result(line);
        for (const s of list.filter((x) => x.exists === false)) {
          ctx.out.warn(`${s.name}: ${s.reference} does not exist; the next apply (or ECS task) fails until it does (\`shinykit secrets set ${appId} ${s.name}\` for a kit-owned one)`);
        }
        for (const s of list.filter((x) => !x.inConfig)) {
          ctx.out.warn(`${s.name} is stored but not named in shinykit.yaml, so no app reads it; add "${s.name}: ${s.reference}" under the app's secrets`);
        }
      }),
  );
  return secrets;
}
