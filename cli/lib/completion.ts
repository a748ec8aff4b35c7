/**
 * Shell completion scripts generated from the commander program itself, so a new
 * command or option completes without anyone editing a script. Static: the
 * script lists command names and options; file-valued options complete files.
 */
import type { Command, Option } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface Node {
  /** Space-separated path below the program: `users add`. */
  readonly path: string;
  readonly name: string;
  readonly description: string;
  readonly commands: readonly Node[];
  readonly options: ReadonlyArray<{ readonly flags: readonly string[]; readonly description: string; readonly takesValue: boolean }>;
}

function optionsOf(cmd: Command): Node['options'] {
  return cmd.options
    .filter((o: Option) => !o.hidden)
    .map((o: Option) => ({
      flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
      description: o.description,
      takesValue: o.required || o.optional,
    }));
}

function tree(cmd: Command, path = ''): Node {
  return {
    path,
    name: cmd.name(),
    description: cmd.description(),
    commands: cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden).map((c) => tree(c, path ? `${path} ${c.name()}` : c.name())),
    options: [...optionsOf(cmd), { flags: ['-h', '--help'], description: 'display help', takesValue: false }],
  };
}

function walk(node: Node, visit: (n: Node) => void): void {
  visit(node);
  node.commands.forEach((c) => walk(c, visit));
}

const FILE_OPTIONS = /^--(config|outputs|prices|out|file)$/;

export function completionScript(program: Command, shell: Shell): string {
  const root = tree(program);
  const globals = root.options;
  switch (shell) {
    case 'bash':
      return bashScript(root, globals);
    case 'zsh':
      // zsh runs bash completion functions through bashcompinit: one script to keep right.
      return [
        `#compdef ${root.name}`,
        `# ${root.name} completion for zsh: add \`source <(${root.name} completion zsh)\` to ~/.zshrc`,
        'autoload -U +X bashcompinit && bashcompinit',
        bashScript(root, globals, false),
      ].join('\n');
    case 'fish':
      return fishScript(root, globals);
  }
}

function bashScript(root: Node, globals: Node['options'], header = true): string {
  const fn = `_${root.name.replace(/\W/g, '_')}_complete`;
  const transitions: string[] = [];
  const words: string[] = [];
  const valueFlags = new Set<string>();
  walk(root, (n) => {
    for (const c of n.commands) transitions.push(`      "${n.path}/${c.name}") path="${c.path}" ;;`);
    const opts = [...n.options, ...(n === root ? [] : globals)].flatMap((o) => o.flags.filter((f) => f.startsWith('--')));
    words.push(`    "${n.path}") words="${[...n.commands.map((c) => c.name), ...new Set(opts)].join(' ')}" ;;`);
    [...n.options, ...globals].filter((o) => o.takesValue).forEach((o) => o.flags.forEach((f) => valueFlags.add(f)));
  });
  const files = [...valueFlags].filter((f) => FILE_OPTIONS.test(f));
  const values = [...valueFlags].filter((f) => !FILE_OPTIONS.test(f));
  return [
    ...(header ? [`# ${root.name} completion for bash: add \`source <(${root.name} completion bash)\` to ~/.bashrc`] : []),
    `${fn}() {`,
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" path="" words="" i w',
    '  case "$prev" in',
    ...(files.length ? [`    ${files.join('|')}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;`] : []),
    ...(values.length ? [`    ${values.join('|')}) COMPREPLY=(); return ;;`] : []),
    '  esac',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    w="${COMP_WORDS[i]}"',
    '    case "$path/$w" in',
    ...transitions,
    '    esac',
    '  done',
    '  case "$path" in',
    ...words,
    '  esac',
    '  COMPREPLY=( $(compgen -W "$words" -- "$cur") )',
    '}',
    `complete -o default -F ${fn} ${root.name}`,
    '',
  ].join('\n');
}

function fishScript(root: Node, globals: Node['options']): string {
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const out = [`# ${root.name} completion for fish: \`${root.name} completion fish > ~/.config/fish/completions/${root.name}.fish\``];
  const option = (condition: string, o: Node['options'][number]) => {
    const parts = [`complete -c ${root.name}`];
    if (condition) parts.push(`-n ${q(condition)}`);
    for (const f of o.flags) parts.push(f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`);
    if (o.takesValue) parts.push(o.flags.some((f) => FILE_OPTIONS.test(f)) ? '-r -F' : '-r -f');
    parts.push(`-d ${q(o.description)}`);
    return parts.join(' ');
  };
  for (const o of globals) out.push(option('', o));
  walk(root, (n) => {
    // Fish's helpers: at the top level, or after each word of this command's path.
    const at = n === root ? '__fish_use_subcommand' : n.path.split(' ').map((w) => `__fish_seen_subcommand_from ${w}`).join('; and ');
    const sub = n.commands.length ? `; and not __fish_seen_subcommand_from ${n.commands.map((c) => c.name).join(' ')}` : '';
    for (const c of n.commands) out.push(`complete -c ${root.name} -f -n ${q(at + (n === root ? '' : sub))} -a ${c.name} -d ${q(c.description)}`);
    if (n !== root) for (const o of n.options) out.push(option(at, o));
  });
  return `${out.join('\n')}\n`;
}
