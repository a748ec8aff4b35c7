/**
 * How `plan` shows the Cognito sign-in page: a set prefix as it is, a derived one as
 * its pattern before the first deploy (the stack-id part named, not guessed), and
 * exactly once the data stack's StackId is known.
 */
import { describe, expect, it } from 'vitest';
import { describeSignInDomain, formatSignInDomain } from '../../cli/plan/sign-in-domain.js';
import { configVariant } from './stacks/synth.js';

describe('plan: sign-in page', () => {
  it('names the unknown part of a derived prefix offline', () => {
    const d = describeSignInDomain(configVariant());
    expect(d).toEqual({ url: 'https://analytics-login-<data-stack-id>.auth.<region>.amazoncognito.com', derived: true });
    expect(formatSignInDomain(d)).toMatch(/^Sign-in page: https:\/\/analytics-login-<data-stack-id>\.auth\.<region>\.amazoncognito\.com \(<data-stack-id>: the first 8 hex digits of the data stack's id/);
  });

  it('gives the exact prefix from the deployed data stack id', () => {
    const id = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/analytics-data/51af3dc0-da77-11e4-872e-1234567890ab';
    const d = describeSignInDomain(configVariant((raw) => (raw.region = 'eu-west-1')), id);
    expect(d.url).toBe('https://analytics-login-51af3dc0.auth.eu-west-1.amazoncognito.com');
  });

  it('shows a configured prefix as given, and says it cannot change once deployed', () => {
    const d = describeSignInDomain(configVariant((raw) => (raw.cognito.domainPrefix = 'acme-analytics')));
    expect(d.derived).toBe(false);
    expect(formatSignInDomain(d)).toBe('Sign-in page: https://acme-analytics.auth.<region>.amazoncognito.com (cognito.domainPrefix; it cannot change once deployed)');
  });
});
