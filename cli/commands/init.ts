/**
 * `shinykit init [dir]`: scaffold a new project — a commented shinykit.yaml, the
 * two example apps, a cdk.json that runs the installed package's CDK app, and
 * .gitignore entries for deployment state.
 *
 * All or nothing: every value is validated through the config schema and every
 * conflict is found before the first byte is written; files are staged under
 * temporary names and renamed into place only when all of them were written.
 */
import { Command } from 'commander';
import { appendFileSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { stdin, stderr } from 'node:process';
import { createInterface } from 'node:readline/promises';
import { ConfigError, formatProblem, parseConfig } from '../../lib/config/index.js';
import { writeFilesAtomically } from '../lib/atomic-write.js';
import { createContext } from '../lib/context.js';
import { InterruptedError, UsageError, WorkError } from '../lib/errors.js';
import { assetsDir } from '../../lib/assets.js';
import { installSpecFor, projectCdkApp } from '../lib/kit.js';

export interface InitAnswers {
  readonly name: string;
  /** Empty: no domain, the site is https://<elastic-ip>/ (a Let's Encrypt IP certificate). */
  readonly domain?: string;
  readonly email: string;
}

export interface InitOptions extends Partial<InitAnswers> {
  readonly dir: string;
  readonly force?: boolean;
  /** The cdk.json `app` command. @default node running the installed package's compiled CDK app */
  readonly cdkApp?: string;
}

export interface InitResult {
  readonly dir: string;
  readonly created: readonly string[];
  readonly overwritten: readonly string[];
  /** Entries appended to .gitignore (empty when all were there). */
  readonly gitignoreAdded: readonly string[];
}

/** Folder (relative to the project) each example app is copied to. */
export const EXAMPLE_APPS = { 'shiny-demo': 'apps/shiny-demo', 'dash-demo': 'apps/dash-demo' } as const;
/** Deployment state that must never be committed. */
export const GITIGNORE_ENTRIES = ['node_modules/', 'cdk.out/', 'cdk-outputs.json', '.shinykit/'] as const;

/**
 * The project's cdk.json: `npx cdk synth|deploy|destroy` run from the project folder
 * work as they do under `shinykit deploy` (same app, same outputs file).
 */
export function cdkJsonText(app: string): string {
  return `${JSON.stringify({ app, outputsFile: 'cdk-outputs.json' }, null, 2)}\n`;
}

/** The scaffolded shinykit.yaml: commented, and valid as written (a test loads it). */
export function initConfigText(a: InitAnswers): string {
  return alignComments(configTemplate(a));
}

/** Lines up trailing comments at one column so the file reads as a table. */
function alignComments(text: string, column = 36): string {
  return text
    .split('\n')
    .map((line) => {
      const m = /^(\s*\S.*?)\s{2,}(# .*)$/.exec(line);
      return m ? `${m[1]!.padEnd(column - 1)} ${m[2]}` : line;
    })
    .join('\n');
}

function configTemplate(a: InitAnswers): string {
  const domain = a.domain
    ? `domain: ${a.domain}                # the site's name; point its DNS A record at the HostPublicIp output\n` +
      `# hostedZone: ${parentZone(a.domain)}          # optional: a Route 53 zone you own, so the A record is created for you`
    : `# domain: apps.example.org          # optional; without it the site is https://<elastic-ip>/\n` +
      `# hostedZone: example.org           # optional; with domain, the DNS A record is created too`;
  return `# shinykit.yaml: one file describes the whole deployment. The CDK stacks and the
# \`shinykit\` CLI both read it. Check it with \`npx shinykit validate\`, and see what it
# will create, expose and cost with \`npx shinykit plan\` (offline, no AWS account needed).
name: ${a.name}                     # prefixes stack and repository names (DNS-label rules, max 40)
# region: eu-west-1                 # optional; pins the stacks to a region (else your AWS profile's)
${domain}
tls:
  email: ${/^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$/.test(a.email) ? a.email : JSON.stringify(a.email)}            # ACME account contact at Let's Encrypt (it sends no expiry mail since June 2025; doctor reports expiry)
host:
  instanceType: t3.small            # t4g.* (Graviton, cheaper) builds arm64 images and picks an arm64 AMI
  volumeGiB: 30                     # root volume (gp3, encrypted): the OS plus every app image
  # sshCidr: 203.0.113.7/32         # optional; absent = no port 22 at all (use SSM Session Manager)
cognito:
  # domainPrefix: ${a.name}-login   # optional; absent = ${a.name}-login-<8 hex digits of the data stack's id>, unique with no action
  mfa: required                     # required: everyone enrols an authenticator app at sign-in | optional (enrols no one) | off
  featurePlan: essentials           # lite | essentials | plus (plus adds threat protection, costs extra)
  groups:                           # users get access through groups: \`npx shinykit users add EMAIL --group G\`
    admin_users: { description: Every app and the ShinyProxy admin page, precedence: 1 }
    shiny_users: { description: The Shiny example app, precedence: 10 }
    dash_users: { description: The Dash example app, precedence: 10 }
shinyproxy:
  version: 3.2.4
  title: ${yamlString(titleFromName(a.name))}
  adminGroups: [admin_users]
apps:                               # each app: a Docker build context; \`npx shinykit push\` builds and ships it
  - id: shiny-demo                  # URL path and image name: lowercase letters, digits, hyphens
    kind: shiny                     # shiny (port 3838) | dash (8050) | custom (set port)
    displayName: Shiny demo
    description: An interactive R Shiny example
    context: ${EXAMPLE_APPS['shiny-demo']}          # relative to this file; holds the Dockerfile
    groups: [admin_users, shiny_users]   # who may open it
    memory: 512m                    # container limits (t3.small fits about two sessions of each; see shinykit plan)
    cpus: 1
    env: { CURRENCY: EUR }          # plain settings (they land in application.yml: never secrets)
    # secrets:                      # set the value first: \`npx shinykit secrets set shiny-demo NOTES_SIGNING_KEY\`
    #   NOTES_SIGNING_KEY: ssm:/shinykit-secrets/${a.name}/shiny-demo/NOTES_SIGNING_KEY
    # storage: {}                   # keep each user's notes between sessions (README: Storage that persists)
  - id: dash-demo
    kind: dash
    displayName: Dash demo
    description: An interactive Python Dash example
    context: ${EXAMPLE_APPS['dash-demo']}
    groups: [admin_users, dash_users]
    memory: 512m
    cpus: 1
    env: { CURRENCY: EUR }
    # secrets:
    #   NOTES_SIGNING_KEY: ssm:/shinykit-secrets/${a.name}/dash-demo/NOTES_SIGNING_KEY
    # storage: {}
`;
}

/** Plans, checks and writes the scaffold. Throws UsageError (exit 2) before writing anything. */
export function runInit(opts: InitOptions): InitResult {
  const dir = resolve(opts.dir);
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UsageError(`${opts.dir} exists and is not a directory`, { hint: 'pass a directory to `shinykit init`' });
  }
  const answers = checkAnswers({ name: opts.name ?? '', domain: opts.domain, email: opts.email ?? '' });

  const files = new Map<string, string | Buffer>(); // relative path → content
  files.set('shinykit.yaml', initConfigText(answers));
  files.set('cdk.json', cdkJsonText(opts.cdkApp ?? projectCdkApp(dir)));
  const examples = assetsDir('examples', 'shiny-demo');
  for (const [id, target] of Object.entries(EXAMPLE_APPS)) {
    for (const file of listFiles(join(examples, id))) {
      files.set(join(target, file), readFileSync(join(examples, id, file)));
    }
  }

  const existing = [...files.keys()].filter((f) => existsSync(join(dir, f)));
  if (existing.length > 0 && !opts.force) {
    throw new UsageError(`init would overwrite ${existing.length} existing file(s) in ${opts.dir}; nothing was written`, {
      details: existing,
      hint: 'pass --force to overwrite them, or choose an empty directory',
    });
  }

  const gitignore = join(dir, '.gitignore');
  const present = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
  const lines = new Set(present.split(/\r?\n/).map((l) => l.trim()));
  const missing = GITIGNORE_ENTRIES.filter((e) => !lines.has(e) && !lines.has(e.replace(/\/$/, '')) && !lines.has(`/${e}`));

  writeAllOrNothing(dir, files);
  if (missing.length > 0) {
    const sep = present === '' || present.endsWith('\n') ? '' : '\n';
    const header = present === '' ? '' : '\n';
    appendFileSync(gitignore, `${sep}${header}# installed packages, and shinykit deployment state (written by shinykit deploy and push)\n${missing.join('\n')}\n`);
  }
  return {
    dir,
    created: [...files.keys()].filter((f) => !existing.includes(f)),
    overwritten: existing,
    gitignoreAdded: missing,
  };
}

/** Validates the answers through the real schema so init can never write a config `validate` rejects. */
export function checkAnswers(a: { name: string; domain?: string; email: string }): InitAnswers {
  const flag: Record<string, string> = { name: '--name', domain: '--domain', 'tls.email': '--email', 'cognito.domainPrefix': '--name' };
  const answers: InitAnswers = { name: a.name.trim(), domain: a.domain?.trim() || undefined, email: a.email.trim() };
  const problems: string[] = [];
  if (!answers.name) problems.push('--name: a project name is required (lowercase letters, digits and hyphens)');
  if (!answers.email) problems.push("--email: an email address is required (the ACME account's contact at Let's Encrypt)");
  if (problems.length === 0) {
    try {
      parseConfig(initConfigText(answers), 'shinykit.yaml');
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const p of err.problems) {
        problems.push(`${flag[p.path] ?? p.path}: ${formatProblem('shinykit.yaml', { ...p, path: '', line: undefined })}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new UsageError('cannot create shinykit.yaml from these values', { details: problems, hint: 'fix the flags above and run `shinykit init` again' });
  }
  return answers;
}

/** A project name from a folder name: lowercased, non-label characters to hyphens. */
export function suggestName(dir: string): string {
  const name = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return /^[a-z0-9]/.test(name) && !/aws|amazon|cognito/.test(name) ? name : 'shiny-apps';
}

/**
 * Why one typed answer cannot be used, in the words `validate` would use, or
 * undefined when it can: each answer is checked through the real schema as it
 * is typed, so a bad one is asked again instead of failing after the last.
 */
export function answerProblem(field: 'name' | 'domain' | 'email', value: string, others: { name: string }): string | undefined {
  if (field === 'email' && !value) return "an email address is required (Let's Encrypt sends certificate expiry notices there)";
  const trial = { name: others.name, email: 'ops@example.org', [field]: value || undefined } as InitAnswers;
  const paths = { name: ['name', 'cognito.domainPrefix'], domain: ['domain'], email: ['tls.email'] }[field];
  try {
    parseConfig(initConfigText(trial), 'shinykit.yaml');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const p = err.problems.find((x) => paths.includes(x.path));
    if (p) return p.message;
  }
  return undefined;
}

/** Asks for what the flags did not give; only on a TTY (the caller decides). Re-asks an answer that fails. */
export async function promptAnswers(
  given: Partial<InitAnswers>,
  defaults: { name: string },
  ask: (question: string) => Promise<string>,
  say: (line: string) => void = () => undefined,
): Promise<Partial<InitAnswers>> {
  const askValid = async (question: string, field: 'name' | 'domain' | 'email', fallback: string, name: string) => {
    for (;;) {
      const value = (await ask(question)).trim() || fallback;
      const problem = answerProblem(field, value, { name });
      if (!problem) return value;
      say(`  ${value ? `"${value}": ` : ''}${problem}`);
    }
  };
  const name = given.name ?? (await askValid(`Project name [${defaults.name}]: `, 'name', defaults.name, defaults.name));
  const domain = given.domain ?? ((await askValid('Domain for the site (blank: serve https://<elastic-ip>/): ', 'domain', '', name)) || undefined);
  const email = given.email ?? (await askValid("Contact email for the Let's Encrypt (ACME) account: ", 'email', '', name));
  return { name, domain, email };
}

export function initCommand(): Command {
  return new Command('init')
    .description('scaffold a project: a commented shinykit.yaml, two example apps, cdk.json, .gitignore entries')
    .argument('[dir]', 'directory to create the project in', '.')
    .option('--name <name>', 'project name (default: from the directory name)')
    .option('--domain <domain>', "the site's DNS name (default: none, serve https://<elastic-ip>/)")
    .option('--email <email>', "contact email for the Let's Encrypt (ACME) account")
    .option('-y, --yes', 'do not prompt; use the defaults for anything not given')
    .option('--force', 'overwrite existing files')
    .action(async (dirArg: string, opts: { name?: string; domain?: string; email?: string; yes?: boolean; force?: boolean }, cmd: Command) => {
      const ctx = createContext(cmd);
      let given: Partial<InitAnswers> = { name: opts.name, domain: opts.domain, email: opts.email };
      const defaults = { name: suggestName(dirArg) };
      if (!opts.yes && ctx.out.canPrompt) {
        const rl = createInterface({ input: stdin, output: stderr });
        // Ctrl-C at a prompt: stop quietly with 130, as shells expect (no error, no --debug hint).
        const interrupt = new AbortController();
        rl.on('SIGINT', () => interrupt.abort());
        try {
          given = await promptAnswers(given, defaults, (q) => rl.question(q, { signal: interrupt.signal }), (line) => stderr.write(`${line}\n`));
        } catch (err) {
          if (interrupt.signal.aborted) {
            stderr.write('\n');
            throw new InterruptedError();
          }
          throw err;
        } finally {
          rl.close();
        }
      }
      const result = runInit({ dir: dirArg, force: opts.force, ...given, name: given.name ?? defaults.name });
      const where = relative(process.cwd(), result.dir) || '.';
      // All of init's words go to stderr, where its prompts are: init has no result to pipe.
      for (const f of result.created) ctx.out.info(`created      ${join(where, f)}`);
      for (const f of result.overwritten) ctx.out.info(`overwritten  ${join(where, f)}`);
      if (result.gitignoreAdded.length > 0) ctx.out.info(`.gitignore   + ${result.gitignoreAdded.join(' ')}`);
      ctx.out.info(nextSteps(where, installSpecFor(result.dir)));
    });
}

/**
 * What to run next, from where the user is now: `cd` into the project first when it
 * is elsewhere, and install this shinykit there when Node would not find it
 * (`installSpec`). Inside the project every command finds shinykit.yaml itself.
 */
export function nextSteps(where: string, installSpec?: string): string {
  const steps: Array<[string, string]> = [];
  if (where !== '.') steps.push([`cd ${shellWord(where)}`, '']);
  if (installSpec) steps.push([`npm install --save-dev ${shellWord(installSpec)}`, 'the kit, in this project']);
  steps.push(
    ['npx shinykit plan', 'what will be created, exposed and paid for (offline)'],
    ['npx shinykit deploy', 'needs AWS credentials; about 10 minutes'],
    ['npx shinykit push', 'build and ship the app images (needs Docker)'],
    ['npx shinykit users add you@example.org --group admin_users', ''],
  );
  const width = Math.max(...steps.map(([cmd]) => cmd.length)) + 2;
  return ['', 'Next steps:', ...steps.map(([cmd, why]) => `  ${why ? `${cmd.padEnd(width)}# ${why}` : cmd}`)].join('\n');
}

/** Quotes a word for a POSIX shell only when it needs it. */
function shellWord(s: string): string {
  return /^[\w./:@=+,~-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Files below `root`, relative, sorted (dotfiles included; Python's __pycache__ skipped). */
function listFiles(root: string, sub = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, sub), { withFileTypes: true })) {
    const rel = join(sub, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === '__pycache__') continue;
      out.push(...listFiles(root, rel));
    } else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

/** Writes every file or none (cli/lib/atomic-write.ts). */
function writeAllOrNothing(dir: string, files: ReadonlyMap<string, string | Buffer>): void {
  try {
    writeFilesAtomically([...files].map(([rel, content]) => [join(dir, rel), content] as const));
  } catch (err) {
    throw new WorkError(`could not write the project files in ${dir}: ${(err as Error).message}; nothing was written`, { cause: err });
  }
}

function parentZone(domain: string): string {
  const parts = domain.split('.');
  return parts.length > 2 ? parts.slice(1).join('.') : domain;
}

function titleFromName(name: string): string {
  return name
    .split('-')
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');
}

/** Quotes a scalar only when YAML would otherwise misread it. */
function yamlString(s: string): string {
  return /^[A-Za-z][A-Za-z0-9 ]*$/.test(s) && !/^(true|false|yes|no|null|on|off)$/i.test(s) ? s : JSON.stringify(s);
}
