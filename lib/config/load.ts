/**
 * Reading shinykit.yaml: parse the YAML, validate it against the schema, and turn
 * every problem into one line naming its path and line.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, type Node as YamlNode } from 'yaml';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { GroupSchema, CognitoSchema, EmailSchema } from './identity-schema.js';
import { StorageSchema } from './storage.js';
import { AppSchema, ConfigObject, ConfigSchema, EcsSchema, FargateSchema, HostSchema, ShinyProxySchema, TlsSchema, type Config } from './schema.js';

// ConfigError and its problems live in ./errors.ts (which the CLI's error mapper loads
// without this module's zod and yaml); re-exported here for the config's users.
export { ConfigError, formatProblem, type ConfigProblem } from '../errors.js';

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Parses and validates config text; `file` names it in messages. Throws ConfigError. */
export function parseConfig(text: string, file = 'shinykit.yaml'): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: '',
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
        line: e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line,
      })),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  // reportInput: zod 4 leaves `input` off issues otherwise, and a wrong-typed value
  // would then be reported as missing ("is required").
  const result = ConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;

  const lineOf = configLocator(doc, lineCounter);

  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path as PropertyKey[];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({
          path: formatPath([...path, key]),
          message: `unknown key "${key}"${allowedKeysHint(path)}${secretKeyHint(key)}`,
          line: lineOf([...path, key]),
        });
      }
      continue;
    }
    const message =
      issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    problems.push({ path: formatPath(path), message, line: lineOf(path) });
  }
  throw new ConfigError(file, problems);
}

/**
 * Finds the line of a config path (`['apps', 1, 'context']`) in parsed YAML; a
 * path that does not exist points at its deepest existing parent.
 */
export function configLocator(doc: ReturnType<typeof parseDocument>, lineCounter: LineCounter): (path: readonly PropertyKey[]) => number | undefined {
  return (path) => {
    let node: unknown = doc.contents;
    let offset: number | undefined = (doc.contents as YamlNode | null)?.range?.[0];
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((it) => (it.key as { value?: unknown } | null)?.value === part);
        if (!pair) break;
        offset = (pair.key as YamlNode | null)?.range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof part === 'number') {
        const item = node.items[part] as YamlNode | undefined;
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else break;
    }
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
}

/** The line of each path in config text (for checks made after parsing, such as files on disk). */
export function lineFinder(text: string): (path: readonly PropertyKey[]) => number | undefined {
  const lineCounter = new LineCounter();
  return configLocator(parseDocument(text, { lineCounter, prettyErrors: false }), lineCounter);
}

/** Reads and validates a config file. Throws ConfigError (also for a missing file). */
export function loadConfig(file = 'shinykit.yaml'): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? 'file not found; create one with `shinykit init` or pass --config <file>'
        : `cannot read the file (${code ?? String(err)})`;
    throw new ConfigError(file, [{ path: '', message }]);
  }
  return parseConfig(text, file);
}

/** A secret typed into the config gets told where secrets go instead. */
function secretKeyHint(key: string): string {
  return /secret/i.test(key) && key !== 'clientSecretName'
    ? '; never put a secret in shinykit.yaml: store it in AWS Secrets Manager and give its name as clientSecretName'
    : '';
}

/** The keys allowed where an unknown key was found, to name them in the message. */
function allowedKeysHint(path: readonly PropertyKey[]): string {
  const key = path.map((p) => (typeof p === 'number' ? '[]' : String(p))).join('.');
  const byPath: Record<string, { shape: object }> = {
    '': ConfigObject,
    tls: TlsSchema,
    host: HostSchema,
    cognito: CognitoSchema,
    'cognito.email': EmailSchema,
    shinyproxy: ShinyProxySchema,
    'apps.[]': AppSchema,
    ecs: EcsSchema,
    'apps.[].fargate': FargateSchema,
    'apps.[].storage': StorageSchema,
  };
  const schema = byPath[key] ?? (/^cognito\.groups\.[^.]+$/.test(key) ? GroupSchema : undefined);
  return schema ? ` (allowed: ${Object.keys(schema.shape).join(', ')})` : '';
}

