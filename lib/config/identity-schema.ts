/**
 * The `cognito` section: the user pool's groups, sign-in providers (Google, OIDC,
 * SAML), email sender and MFA. Rules that span fields are in identity-rules.ts.
 */
import { z } from 'zod';
import { DNS_LABEL, DNS_LABEL_HINT, EMAIL, REGION, groupName, hostname, httpsUrl } from './fields.js';

/** Cognito refuses domain prefixes containing these words. */
export const RESERVED_PREFIX_WORDS = ['aws', 'amazon', 'cognito'];

export const GroupSchema = z.strictObject({
  description: z.string().max(2048, { error: 'expected at most 2048 characters' }).optional(),
  precedence: z
    .number({ error: 'expected a whole number >= 0' })
    .int({ error: 'expected a whole number >= 0' })
    .min(0, { error: 'expected a whole number >= 0' })
    .optional(),
});


/** Secrets Manager secret names: 1-512 of these characters (an ARN is not a name). */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/**
 * Our own rule for OIDC/SAML provider names (Cognito allows more): it prefixes the
 * user names of the provider's users (`<name>_<subject>`) and goes into the login
 * URL, so no underscores, spaces or punctuation beyond "-" and ".".
 */
const PROVIDER_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]{0,31}$/;
/** Names Cognito reserves for its own providers (compared case-insensitively). */
const RESERVED_PROVIDER_NAMES = ['cognito', 'google', 'facebook', 'loginwithamazon', 'signinwithapple'];
/** The SAML attribute most IdPs (Entra ID, AD FS) send the email address in. */
export const SAML_EMAIL_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
/** Cognito's name for the Google provider: fixed, and what `identity_provider=` takes. */
export const GOOGLE_PROVIDER_NAME = 'Google';
/** The user pool attribute a provider's group claim is mapped into (read by the pre-token trigger). */
export const GROUPS_ATTRIBUTE = 'custom:groups';

const secretName = z
  .string({ error: 'expected the NAME of a Secrets Manager secret holding the client secret (never the secret itself)' })
  .regex(SECRET_NAME, {
    error: 'expected a Secrets Manager secret name (1-512 letters, digits or /_+=.@-), not an ARN and never the secret itself',
  });

const providerName = z
  .string({ error: 'expected a provider name' })
  .regex(PROVIDER_NAME, { error: 'expected a provider name of letters, digits, "." or "-" (1-32 characters, starting with a letter or digit)' })
  .refine((v) => !RESERVED_PROVIDER_NAMES.includes(v.toLowerCase()), {
    error: 'this name is reserved by Cognito (COGNITO, Google, Facebook, LoginWithAmazon, SignInWithApple); pick another, such as "EntraID"',
  });

const claimName = z.string({ error: 'expected a claim or attribute name' }).min(1, { error: 'expected a claim or attribute name' });

/** Which provider claim fills each user pool attribute. */
const AttributeMappingSchema = z.strictObject({
  /** Claim holding the email address (ShinyProxy's username). Default: `email` (SAML: the emailaddress claim URI). */
  email: claimName.optional(),
  /** Claim holding the display name. Default: `name` for OIDC; none for SAML. */
  name: claimName.optional(),
  /** Claim holding the user's groups, mapped into custom:groups for cognito.groupMapping. */
  groups: claimName.optional(),
  /** OIDC only: claim saying the provider verified the email. Default: `email_verified`. */
  emailVerified: claimName.optional(),
});

/**
 * `trustEmail: true` says every email this provider sends is one it verified (a
 * corporate directory that issues the addresses itself). Without it, only an
 * `email_verified` of true counts for cognito.federatedEmailDomains.
 */
const trustEmail = z.boolean({ error: 'expected true or false' }).default(false);

const GoogleProviderSchema = z.strictObject({
  type: z.literal('google'),
  clientId: z.string({ error: 'expected the OAuth client id from the Google Cloud console' }).min(1),
  clientSecretName: secretName,
});

const OidcProviderSchema = z.strictObject({
  type: z.literal('oidc'),
  name: providerName,
  /** The issuer (`iss`); Cognito reads `<issuerUrl>/.well-known/openid-configuration`. */
  issuerUrl: httpsUrl('the issuer URL, such as https://login.microsoftonline.com/<tenant>/v2.0'),
  clientId: z.string({ error: 'expected the client (application) id registered with the provider' }).min(1),
  clientSecretName: secretName,
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, { error: 'expected an OAuth scope (no spaces or quotes)' }))
    .refine((s) => s.includes('openid'), { error: 'expected the scopes to include "openid"' })
    .default(['openid', 'email', 'profile']),
  attributeMapping: AttributeMappingSchema.optional(),
  trustEmail,
});

const SamlProviderSchema = z.strictObject({
  type: z.literal('saml'),
  name: providerName,
  metadataUrl: httpsUrl('the IdP metadata URL').optional(),
  /** Metadata XML file, relative to shinykit.yaml; read when the stacks are synthesized. */
  metadataFile: z.string().min(1).optional(),
  attributeMapping: AttributeMappingSchema.optional(),
  trustEmail,
});

export const IdentityProviderSchema = z.discriminatedUnion('type', [GoogleProviderSchema, OidcProviderSchema, SamlProviderSchema], {
  error: (iss) =>
    iss.code === 'invalid_union'
      ? 'expected type: one of google, oidc, saml'
      : iss.code === 'invalid_type'
        ? 'expected a provider: { type: google | oidc | saml, ... }'
        : undefined,
});

export type IdentityProviderConfig = z.output<typeof IdentityProviderSchema>;

/** SES regions Cognito may send through for a pool in another region (Email settings for Amazon Cognito user pools). */
export const SES_ALTERNATE_REGIONS: readonly string[] = ['us-east-1', 'us-west-2', 'eu-west-1'];

/** cognito.email: Amazon SES as the pool's email sender (EmailSendingAccount DEVELOPER). */
export const EmailSchema = z.strictObject({
  /** The sender address; it, or its domain, must be a verified SES identity. */
  from: z.string({ error: 'expected the sender address, such as no-reply@example.org' }).regex(EMAIL, { error: 'expected an email address such as no-reply@example.org' }),
  /** Display name shown with the address ("Data team"). */
  fromName: z.string().min(1).max(100).optional(),
  replyTo: z.string().regex(EMAIL, { error: 'expected an email address' }).optional(),
  /**
   * The verified SES identity: the from address itself (default) or its domain
   * (verify the domain once and send from any address in it).
   */
  sesIdentity: z.string().min(1).optional(),
  /** Region of the SES identity. Default: the pool's region. */
  sesRegion: z.string().regex(REGION, { error: 'expected an AWS region such as eu-west-1' }).optional(),
  /** An SES configuration set applied to every message (event publishing, dedicated IPs). */
  configurationSet: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,64}$/, { error: 'expected an SES configuration set name (1-64 letters, digits, "_" or "-")' })
    .optional(),
});

/** One provider group value → one or more kit groups. */
const groupMappingTarget = z
  .union([groupName, z.array(groupName).min(1, { error: 'expected at least one group' })], {
    error: 'expected a group name or a list of group names',
  })
  .transform((v) => (Array.isArray(v) ? v : [v]));

export const CognitoSchema = z.strictObject({
  domainPrefix: z
    .string()
    .regex(DNS_LABEL, { error: `expected a Cognito domain prefix (${DNS_LABEL_HINT})` })
    .refine((v) => !RESERVED_PREFIX_WORDS.some((w) => v.includes(w)), {
      error: `must not contain ${RESERVED_PREFIX_WORDS.join(', ')} (Cognito reserves them)`,
    })
    .optional(),
  /**
   * required (default): every local user sets up an authenticator app (TOTP) on the
   * hosted login page at sign-in. optional: nobody is asked to enrol (see docs/identity.md).
   */
  mfa: z.enum(['off', 'optional', 'required'], { error: 'expected one of: off, optional, required' }).default('required'),
  /** Send the pool's email (invitations, password resets) through Amazon SES instead of Cognito's capped sender. */
  email: EmailSchema.optional(),
  featurePlan: z
    .enum(['lite', 'essentials', 'plus'], { error: 'expected one of: lite, essentials, plus' })
    .default('essentials'),
  groups: z.record(groupName, GroupSchema, { error: 'expected a map of group name to settings' }),
  /** Sign-in with Google, an OIDC or a SAML IdP, besides (or instead of) local users. */
  identityProviders: z.array(IdentityProviderSchema, { error: 'expected a list of identity providers' }).default([]),
  /** Email + password users created with `shinykit users add`. false: federated sign-in only. */
  localUsers: z.boolean({ error: 'expected true or false' }).default(true),
  /** Provider group value (an Entra ID group id, a SAML group name, ...) → kit groups. */
  groupMapping: z
    .record(z.string().min(1, { error: 'expected a provider group value' }), groupMappingTarget, {
      error: 'expected a map of provider group value to kit group(s)',
    })
    .default({}),
  /** Groups every federated user gets at sign-in (in the token, not as stored memberships). */
  defaultGroups: z.array(groupName, { error: 'expected a list of group names' }).default([]),
  /**
   * Only federated users whose email is in one of these domains get mapped or
   * default groups. Anyone with an account at the provider can sign in (with
   * Google: anyone at all); without groups they open no app.
   */
  federatedEmailDomains: z.array(hostname, { error: 'expected a list of email domains such as example.org' }).default([]),
});

