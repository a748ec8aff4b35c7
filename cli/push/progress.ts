/**
 * Per-app progress on stderr: a live block of one line per app on a TTY
 * (redrawn in place, with elapsed time), plain lines on each change otherwise
 * (CI logs, pipes). Results go to stdout elsewhere.
 */
export type AppPhase = 'checking' | 'waiting' | 'building' | 'pushing' | 'skipped' | 'done' | 'failed';

const FINAL: ReadonlySet<AppPhase> = new Set(['skipped', 'done', 'failed']);

export interface Progress {
  update(appId: string, phase: AppPhase, detail?: string): void;
  /** Stops redrawing and leaves the final state on screen. */
  finish(): void;
}

export interface ProgressOptions {
  readonly apps: readonly string[];
  readonly interactive: boolean;
  readonly write: (text: string) => void;
  readonly now?: () => number;
}

export function formatElapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function createProgress(opts: ProgressOptions): Progress {
  const now = opts.now ?? Date.now;
  const started = now();
  const state = new Map(opts.apps.map((id) => [id, { phase: 'checking' as AppPhase, detail: '', since: started, end: 0 }]));
  const width = Math.max(...opts.apps.map((a) => a.length), 1);

  const line = (id: string) => {
    const s = state.get(id)!;
    const elapsed = formatElapsed((FINAL.has(s.phase) ? s.end : now()) - started);
    return `${id.padEnd(width)}  ${s.phase.padEnd(8)} ${elapsed.padStart(6)}${s.detail ? `  ${s.detail}` : ''}`;
  };

  if (!opts.interactive) {
    return {
      update(id, phase, detail = '') {
        const s = state.get(id);
        if (!s || (s.phase === phase && s.detail === detail)) return;
        Object.assign(s, { phase, detail, end: now() });
        // "checking" is the silent start; say it only if it lingers into a build.
        if (phase !== 'checking') opts.write(`${line(id)}\n`);
      },
      finish() {},
    };
  }

  let drawn = 0;
  const draw = () => {
    const up = drawn > 0 ? `\u001b[${drawn}A` : '';
    opts.write(up + opts.apps.map((id) => `\u001b[2K${line(id)}\n`).join(''));
    drawn = opts.apps.length;
  };
  const timer = setInterval(draw, 250);
  timer.unref();
  draw();
  return {
    update(id, phase, detail = '') {
      const s = state.get(id);
      if (!s) return;
      Object.assign(s, { phase, detail, end: now() });
      draw();
    },
    finish() {
      clearInterval(timer);
      draw();
    },
  };
}
