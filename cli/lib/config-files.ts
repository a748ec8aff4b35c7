/**
 * The checks on shinykit.yaml that need the disk: each app's build context and
 * Dockerfile, and SAML metadata files, resolved against the config file's folder
 * as `push` and the CDK app resolve them. The schema (lib/config/) cannot make
 * them: lib/ reads no files. `validate` and `plan` run these after the schema, so
 * a typo fails there (exit 2, field and line) instead of at the first push.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ConfigError, formatPath, lineFinder, loadConfig, type Config, type ConfigProblem } from '../../lib/config/index.js';

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const isFile = (p: string) => existsSync(p) && statSync(p).isFile();

export function checkConfigFiles(cfg: Config, file: string): ConfigProblem[] {
  const base = dirname(resolve(file));
  const lineOf = lineFinder(readFileSync(file, 'utf8'));
  const shown = (p: string) => relative(process.cwd(), p) || '.';
  const problems: ConfigProblem[] = [];
  const add = (path: PropertyKey[], message: string) => problems.push({ path: formatPath(path), message, line: lineOf(path) });

  cfg.apps.forEach((app, i) => {
    const context = resolve(base, app.context);
    if (!isDir(context)) {
      add(['apps', i, 'context'], `no folder ${shown(context)} (app ${app.id}); set context to the app's folder, relative to ${shown(file)}`);
      return;
    }
    if (app.dockerfile) {
      const dockerfile = resolve(base, app.dockerfile);
      if (!isFile(dockerfile)) add(['apps', i, 'dockerfile'], `no file ${shown(dockerfile)} (app ${app.id}); fix the path (relative to ${shown(file)}) or remove dockerfile to use ${join(app.context, 'Dockerfile')}`);
    } else if (!isFile(join(context, 'Dockerfile'))) {
      add(['apps', i, 'context'], `no Dockerfile in ${shown(context)} (app ${app.id}); add one (\`shinykit init\` writes examples) or set apps[${i}].dockerfile`);
    }
  });
  cfg.cognito.identityProviders.forEach((p, i) => {
    if (p.type !== 'saml' || p.metadataFile === undefined) return;
    const metadata = resolve(base, p.metadataFile);
    if (!isFile(metadata)) {
      add(['cognito', 'identityProviders', i, 'metadataFile'], `no file ${shown(metadata)}; download the IdP's SAML metadata XML there, or use metadataUrl`);
    }
  });
  return problems;
}

/** loadConfig, then the disk checks: a ConfigError (exit 2) lists every problem of either kind. */
export function loadCheckedConfig(file: string): Config {
  const cfg = loadConfig(file);
  const problems = checkConfigFiles(cfg, file);
  if (problems.length > 0) throw new ConfigError(file, problems);
  return cfg;
}
