import { describe, expect, it } from 'vitest';
import { commandEntries } from '../../cli/commands/index.js';
import { fileURLToPath } from 'node:url';
import { createProgram, entriesFor, timingFrom } from '../../cli/index.js';
import { DEFAULT_TIMING, type Runtime } from '../../cli/lib/runtime.js';
import { readManifest } from '../../cli/commands/manifest.js';
import { runCli } from '../support/cli.js';

const names = (args: string[]) => entriesFor(args).map((e) => e.name);
const all = commandEntries.map((e) => e.name);

describe('which commands a run loads', () => {
  it('loads only the command argv names, skipping global options and their values', () => {
    expect(names(['validate'])).toEqual(['validate']);
    expect(names(['--config', 'users', 'push', '--no-apply'])).toEqual(['push']);
    expect(names(['--outputs', 'x.json', '--region', 'eu-west-1', '--profile', 'p', 'users', 'list'])).toEqual(['users']);
    expect(names(['--debug', '--config=push', 'doctor'])).toEqual(['doctor']);
  });

  it('loads every command for help, no command, or a name it does not know (so commander can report it)', () => {
    expect(names([])).toEqual(all);
    expect(names(['--help'])).toEqual(all);
    expect(names(['help', 'push'])).toEqual(all);
    expect(names(['frobnicate'])).toEqual(all);
  });

  it('loads none for --version', () => {
    expect(names(['--version'])).toEqual([]);
    expect(names(['-v'])).toEqual([]);
  });

  it('the full program registers every entry under its own name', async () => {
    const program = await createProgram([], { manifest: false });
    expect(program.commands.map((c) => c.name())).toEqual(all);
  });
});

describe('top-level help from the build manifest (no command module loaded)', () => {
  it('the build wrote a manifest naming every registered command', () => {
    const manifest = readManifest(new URL('../../dist/cli/commands.json', import.meta.url));
    expect(manifest?.map((e) => e.name)).toEqual(all);
  });

  it('the built CLI prints the same --help as a program with every command loaded', async () => {
    const full = await createProgram([], { manifest: false });
    const r = await runCli(['--help']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(`${r.stdout}\n`).toBe(full.helpInformation()); // execa drops the final newline
  });
});

describe('the entry builds the runtime every command context gets', () => {
  it('reads the poll test hooks once into the timing; unset or unusable values keep the defaults', () => {
    expect(timingFrom({})).toEqual(DEFAULT_TIMING);
    expect(timingFrom({ SHINYKIT_APPLY_POLL_MS: '50', SHINYKIT_SESSION_POLL_MS: '20', SHINYKIT_LOGS_POLL_MS: 'soon' })).toEqual({
      hostCommandPollMs: 50,
      applyPollMs: 50,
      sessionPollMs: 20,
      logsPollMs: DEFAULT_TIMING.logsPollMs,
    });
  });

  const recording = (isTTY: Runtime['io']['isTTY']) => {
    const written = { stdout: '', stderr: '' };
    const runtime: Runtime = {
      io: {
        isTTY,
        isCI: false,
        noColor: false,
        streams: { stdout: { write: (t: string) => (written.stdout += t) }, stderr: { write: (t: string) => (written.stderr += t) } },
      },
      timing: DEFAULT_TIMING,
      env: {},
    };
    return { runtime, written };
  };
  const run = async (runtime: Runtime, args: string[]) => (await createProgram(args, { runtime })).parseAsync(['node', 'shinykit', ...args]);
  const exampleConfig = fileURLToPath(new URL('../../shinykit.yaml', import.meta.url));

  it("a command's results go to the runtime's stdout stream, not the process's", async () => {
    const { runtime, written } = recording({ stdin: false, stdout: false, stderr: false });
    await run(runtime, ['--config', exampleConfig, 'validate']);
    expect(written.stdout).toMatch(/shinykit\.yaml is valid: project /);
  });

  it("a command decides by the runtime's terminal facts: status --watch needs stdout to be a terminal", async () => {
    const { runtime } = recording({ stdin: true, stdout: false, stderr: true });
    await expect(run(runtime, ['--config', exampleConfig, 'status', '--watch', '5'])).rejects.toThrow(/--watch refreshes a terminal screen/);
  });
});
