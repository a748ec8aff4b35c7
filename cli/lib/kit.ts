/**
 * The installed shinykit package itself: where it lives, the CDK app it ships
 * (compiled to dist/bin/shinykit.js by `npm run build`, which `npm pack` runs), the
 * CDK CLI it pins, and how a user's project reaches it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'shinykit';

/** The package root: the nearest folder above this module whose package.json is ours. */
export function kitRoot(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
      } catch {
        // not ours; keep walking
      }
    }
    if (dirname(dir) === dir) throw new Error(`the ${PACKAGE_NAME} package.json was not found above ${from}: the package is incomplete`);
  }
}

/** The CDK app the CLI deploys: argv that `cdk --app` runs (node, no tsx once built). */
export function cdkAppArgv(root: string = kitRoot()): string[] {
  const compiled = join(root, 'dist', 'bin', 'shinykit.js');
  if (existsSync(compiled)) return [process.execPath, compiled];
  // A source checkout that was not built: tsx (a devDependency there) runs the TypeScript.
  return [process.execPath, '--import', import.meta.resolve('tsx/esm'), join(root, 'bin', 'shinykit.ts')];
}

/** argv as the one command string `cdk --app` takes (it runs it through a shell); paths quoted. */
export function commandLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w./:@=+-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

/**
 * The CDK CLI to run: the aws-cdk release this package pins (one that reads the
 * cloud-assembly schema of the aws-cdk-lib it pins), or `$SHINYKIT_CDK` when set.
 */
export function cdkCliArgv(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.SHINYKIT_CDK) return [env.SHINYKIT_CDK];
  return [process.execPath, fileURLToPath(import.meta.resolve('aws-cdk/bin/cdk'))];
}

/**
 * The `app` line for the cdk.json `init` writes into a user's project: node running
 * the compiled entry of the shinykit that project installs (its node_modules), so
 * `npx cdk synth` there works without copying our bin/ or lib/.
 */
export function projectCdkApp(projectDir: string, root: string = kitRoot()): string {
  const entry = join(root, 'dist', 'bin', 'shinykit.js');
  const owner = nodeModulesOwner(root);
  // Installed in this project (or a workspace root above it): the path as it is.
  if (owner && isInside(resolve(projectDir), owner)) return `node ${posix(relative(resolve(projectDir), entry))}`;
  // Not installed there yet: where `npm install --save-dev` will put it.
  return `node node_modules/${PACKAGE_NAME}/dist/bin/shinykit.js`;
}

/**
 * How to install this same shinykit into `projectDir`, or undefined when Node already
 * finds a shinykit from there. The spec is the one the project we run from used
 * (a tarball, a git URL, a version), or this checkout's folder.
 */
export function installSpecFor(projectDir: string, root: string = kitRoot()): string | undefined {
  const target = resolve(projectDir);
  for (let dir = target; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', PACKAGE_NAME, 'package.json'))) return undefined;
    if (dirname(dir) === dir) break;
  }
  const owner = nodeModulesOwner(root);
  if (!owner) return localPath(target, root); // a source checkout: npm installs the folder
  try {
    const pkg = JSON.parse(readFileSync(join(owner, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const spec = pkg.devDependencies?.[PACKAGE_NAME] ?? pkg.dependencies?.[PACKAGE_NAME];
    if (spec?.startsWith('file:')) return localPath(target, resolve(owner, spec.slice('file:'.length)));
    if (spec) return spec;
  } catch {
    // no readable package.json where we are installed: fall through
  }
  return undefined;
}

/** The project folder whose node_modules holds the package, if it is installed in one. */
function nodeModulesOwner(root: string): string | undefined {
  for (let dir = root; dirname(dir) !== dir; dir = dirname(dir)) {
    if (basename(dir) === 'node_modules') return dirname(dir);
  }
  return undefined;
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** A path npm can install from: relative when that is short, else absolute. */
function localPath(from: string, to: string): string {
  const rel = posix(relative(from, to));
  if (isAbsolute(rel) || rel.split('/').filter((p) => p === '..').length > 2) return to;
  return rel.startsWith('.') ? rel : `./${rel}`;
}

function posix(p: string): string {
  return p.split(sep).join('/');
}
