/** `shinykit completion bash|zsh|fish`: print a completion script for the shell. */
import { Argument, Command } from 'commander';
import { completionScript, SHELLS, type Shell } from '../lib/completion.js';
import { createContext } from '../lib/context.js';

export function completionCommand(): Command {
  return new Command('completion')
    .description('print a shell completion script (bash: `source <(shinykit completion bash)` in ~/.bashrc)')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .action(async (shell: Shell, _opts: unknown, cmd: Command) => {
      const ctx = createContext(cmd);
      // The script covers every command: build the whole program, not just the one this run loaded.
      const { createProgram } = await import('../index.js');
      ctx.out.result(completionScript(await createProgram([], { manifest: false }), shell).trimEnd());
    });
}
