/** Helpers for the shinykit.yaml schema tests. */
import { expect } from 'vitest';
import { ConfigError, parseConfig, type ConfigProblem } from '../../lib/config/index.js';

/**
 * The problems parseConfig reports for `text` (read as `file`). Fails the test
 * when the text is accepted or rejected with anything but a ConfigError.
 */
export function problemsOf(text: string, file = 'bad.yaml'): ConfigProblem[] {
  try {
    parseConfig(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected the config to be rejected');
}
