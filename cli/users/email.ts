/**
 * Email addresses are the user names people type, so they are checked and
 * normalised (trimmed, lower-cased) once, here, before any call to Cognito:
 * `Ana@Example.org ` and `ana@example.org` must be the same user.
 */
import { UsageError } from '../lib/errors.js';

/** Deliberately simple: one @, no spaces, a dot in the domain, RFC length limits. */
const EMAIL = /^[^\s@",;<>()]+@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

export type EmailCheck = { readonly ok: true; readonly email: string } | { readonly ok: false; readonly problem: string };

export function checkEmail(raw: string): EmailCheck {
  const email = raw.trim().toLowerCase();
  if (email === '') return { ok: false, problem: 'the email address is empty' };
  if (email.length > 254) return { ok: false, problem: `"${raw.trim()}" is longer than 254 characters` };
  const local = email.split('@')[0] ?? '';
  if (!EMAIL.test(email) || local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return { ok: false, problem: `"${raw.trim()}" is not a valid email address (expected name@example.org)` };
  }
  return { ok: true, email };
}

/** The user's identity in Cognito: the `email` attribute, falling back to the user name. */
export function emailOf(user: { Username?: string; Attributes?: ReadonlyArray<{ Name?: string; Value?: string }> }): string {
  const attr = user.Attributes?.find((a) => a.Name === 'email')?.Value;
  return (attr ?? user.Username ?? '').toLowerCase();
}

/** A normalised address from the command line, or a usage error (exit 2) that says what is wrong. */
export function requireEmail(raw: string): string {
  const checked = checkEmail(raw);
  if (!checked.ok) throw new UsageError(checked.problem, { hint: 'pass the address the person signs in with, e.g. ana@example.org' });
  return checked.email;
}
