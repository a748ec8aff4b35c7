/**
 * Questions to the person at the terminal, on stderr. Secrets (a temporary
 * password) come from stdin or a prompt with echo off, never from argv, so
 * they stay out of shell history and `ps`.
 */
import { createInterface } from 'node:readline';
import { stderr, stdin } from 'node:process';

export interface Prompt {
  /** True when stdin is a terminal someone can answer. */
  readonly interactive: boolean;
  confirm(question: string): Promise<boolean>;
  /** Asks without echo on a terminal; otherwise reads all of stdin. */
  secret(question: string): Promise<string>;
}

/** `stdinIsTTY`: from the I/O host (only the entry looks at the process). */
export function terminalPrompt(stdinIsTTY: boolean): Prompt {
  const interactive = stdinIsTTY;
  return {
    interactive,
    confirm: async (question) => {
      const rl = createInterface({ input: stdin, output: stderr });
      try {
        const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve));
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
    secret: (question) => (interactive ? askHidden(question) : readStdin()),
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
  // One trailing newline is how `echo` and here-strings end; it is not part of the secret.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function askHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    // Echo off before the question shows: an answer typed (or pasted) the moment it appears is never echoed.
    stdin.setRawMode(true);
    stderr.write(question);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
