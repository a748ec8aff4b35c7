/**
 * Identity: the Cognito user pool people sign in with, its groups (ShinyProxy
 * roles), its hosted-UI domain and the app client ShinyProxy uses.
 *
 * The pool is retained and deletion-protected: it holds every user and their MFA
 * enrolment, which cannot be exported and re-imported. Retained on update and delete
 * but not when its own first create rolls back (`RetainExceptOnCreate`): a plain
 * `Retain` would leave an empty pool behind a failed first deploy. Groups, the client,
 * the domain and the trigger are not retained (docs/teardown.md says how to get back).
 */
import { Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { GROUPS_ATTRIBUTE, derivedDomainPrefixBase, isDomainPrefixDerived, loginIdentityProvider, mapsProviderGroups, needsGroupTrigger, type Config } from '../config/index.js';
import { Federation } from './federation.js';
import { GroupMapping } from './group-mapping.js';
import { stackIdSuffixToken } from '../stack-id.js';
import type { SamlMetadata } from '../config/files.js';

export interface IdentityProps {
  readonly config: Config;
  /** The site's DNS name (may be a token); callback and sign-out URLs derive from it. */
  readonly siteHostname: string;
  /** Days a temporary (admin-set) password stays valid. @default 3 */
  readonly temporaryPasswordDays?: number;
  /** SAML metadata XML by `metadataFile`, read from disk by the caller (lib/config/files.ts). @default none */
  readonly samlMetadata?: SamlMetadata;
}

/** `custom:groups` without its `custom:` prefix, as the pool's schema names it. */
const GROUPS_ATTRIBUTE_NAME = GROUPS_ATTRIBUTE.replace(/^custom:/, '');

/**
 * Gives every schema entry an AttributeDataType. CDK writes the standard `email`
 * entry without one; CloudFormation creates such a pool, but later updates of it
 * fail with "Invalid AttributeDataType input, consider using the provided
 * AttributeDataType enum" (aws/aws-cdk#8585, open since 2020 and reported again in
 * 2026; aws-amplify/amplify-backend#3299; aws-amplify/docs#4624 says any schema
 * change, including to `email`, triggers it). Cognito itself reports email as a
 * String attribute, so stating it changes nothing on the pool. Together with a
 * schema that no config change alters (custom:groups always declared), updates
 * never ask Cognito to change the schema.
 */
function stateSchemaTypes(pool: cognito.UserPool): void {
  const cfn = pool.node.defaultChild as cognito.CfnUserPool;
  const schema = (cfn.schema ?? []) as cognito.CfnUserPool.SchemaAttributeProperty[];
  cfn.schema = schema.map((a) => (a.name === 'email' && !a.attributeDataType ? { ...a, attributeDataType: 'String' } : a));
}

/** OIDC redirect path ShinyProxy (Spring Security) registers for the `shinyproxy` client. */
export const CALLBACK_PATH = '/login/oauth2/code/shinyproxy';

const MFA: Record<Config['cognito']['mfa'], cognito.Mfa> = {
  off: cognito.Mfa.OFF,
  optional: cognito.Mfa.OPTIONAL,
  required: cognito.Mfa.REQUIRED,
};
const FEATURE_PLAN: Record<Config['cognito']['featurePlan'], cognito.FeaturePlan> = {
  lite: cognito.FeaturePlan.LITE,
  essentials: cognito.FeaturePlan.ESSENTIALS,
  plus: cognito.FeaturePlan.PLUS,
};

export class Identity extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  /** `https://<site>`: the sign-out URL, also the `logout_uri` of LogoutUrl. */
  readonly siteUrl: string;
  readonly callbackUrl: string;
  readonly groups: ReadonlyMap<string, cognito.CfnUserPoolGroup>;
  /** The external identity providers (cognito.identityProviders), when any. */
  readonly federation?: Federation;
  /** The pre-token-generation trigger, when groupMapping or defaultGroups is set. */
  readonly groupMapping?: GroupMapping;
  /** Provider the login goes straight to (`identity_provider=`), when exactly one and no local users. */
  readonly loginIdentityProvider?: string;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const cog = props.config.cognito;
    // No trailing slash: Cognito compares logout_uri with the sign-out URL byte for byte.
    this.siteUrl = `https://${props.siteHostname}`;
    this.callbackUrl = `${this.siteUrl}${CALLBACK_PATH}`;

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      // Only administrators (the CLI's `users` commands) create accounts.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // Where providers' group claims land for the group-mapping trigger. Mutable:
      // Cognito rewrites mapped attributes at every federated sign-in. Declared on
      // every pool, used or not: a custom attribute can be added to a live pool but
      // never removed, so a conditional one would make "stop mapping groups" a change
      // Cognito refuses, and "start" a schema change on the update path that fails
      // (see USER_POOL_SCHEMA below). The trigger ignores it on local users.
      customAttributes: { [GROUPS_ATTRIBUTE_NAME]: new cognito.StringAttribute({ mutable: true, maxLen: 2048 }) },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(props.temporaryPasswordDays ?? 3),
      },
      // required: Cognito answers a password sign-in of a user without MFA with
      // MFA_SETUP, and the hosted login page shows the QR code and verifies the
      // first code (Cognito developer guide, "TOTP software token MFA"). optional:
      // nobody is ever asked; enrolling needs AssociateSoftwareToken with an access
      // token holding aws.cognito.signin.user.admin, which this client never issues.
      mfa: MFA[cog.mfa],
      // TOTP apps only: SMS needs an SNS role, a spending limit and costs per message.
      mfaSecondFactor: cog.mfa === 'off' ? undefined : { otp: true, sms: false },
      // Cognito's own sender allows a few dozen emails a day per account; with
      // cognito.email the pool sends through the operator's verified SES identity.
      email: cog.email ? sesEmail(cog.email, Stack.of(this).region) : undefined,
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: FEATURE_PLAN[cog.featurePlan],
      // Threat protection exists only on the Plus plan (and is billed per user).
      standardThreatProtectionMode:
        cog.featurePlan === 'plus' ? cognito.StandardThreatProtectionMode.FULL_FUNCTION : undefined,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    stateSchemaTypes(this.userPool);

    if (cog.mfa !== 'required') {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions::AwsSolutions-COG2',
        reason: `MFA is set by the operator in shinykit.yaml (cognito.mfa: ${cog.mfa}); set cognito.mfa: required to enforce TOTP for every user.`,
      });
    }
    if (cog.featurePlan !== 'plus') {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions::AwsSolutions-COG8',
        reason: `Threat protection needs the Plus feature plan, billed per monthly active user; shinykit.yaml chose cognito.featurePlan: ${cog.featurePlan}. Set featurePlan: plus to turn it on.`,
      });
    }

    const groups = new Map<string, cognito.CfnUserPoolGroup>();
    for (const [name, group] of Object.entries(cog.groups)) {
      groups.set(
        name,
        new cognito.CfnUserPoolGroup(this, `Group-${name}`, {
          userPoolId: this.userPool.userPoolId,
          groupName: name,
          description: group.description,
          precedence: group.precedence,
        }),
      );
    }
    this.groups = groups;

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: domainPrefixValue(props.config) },
    });

    if (cog.identityProviders.length > 0) {
      this.federation = new Federation(this, 'Federation', { config: props.config, userPool: this.userPool, samlMetadata: props.samlMetadata });
    }
    if (needsGroupTrigger(props.config)) {
      this.groupMapping = new GroupMapping(this, 'GroupMapping', { config: props.config });
      // V1_0 works on every feature plan (V2_0 needs Essentials or Plus) and is
      // enough: ShinyProxy reads the groups from the ID token.
      this.userPool.addTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, this.groupMapping.function, cognito.LambdaVersion.V1_0);
    }
    this.loginIdentityProvider = loginIdentityProvider(props.config);

    // Attributes Cognito writes at a federated sign-in: every mapped one (Cognito
    // refuses the sign-in when the client may not write a mapped attribute). The
    // kit's own writes go through the Admin APIs, which client permissions do not
    // limit, and the client's scopes exclude aws.cognito.signin.user.admin, so no
    // user can write even these with their own token.
    const mapped = cog.identityProviders.length > 0;
    const writeAttributes = new cognito.ClientAttributes()
      .withStandardAttributes({ email: true, fullname: true, emailVerified: mapped && cog.identityProviders.some((p) => p.type !== 'saml') })
      .withCustomAttributes(...(mapsProviderGroups(props.config) ? [GROUPS_ATTRIBUTE.replace(/^custom:/, '')] : []));

    this.client = this.userPool.addClient('ShinyProxyClient', {
      generateSecret: true,
      // Only refresh tokens: ShinyProxy signs people in through the hosted login
      // page (authorization code grant), which needs no API auth flow, and the CLI
      // never signs anyone in. Without an explicit list Cognito would allow
      // ALLOW_USER_SRP_AUTH and ALLOW_CUSTOM_AUTH too.
      authFlows: {},
      writeAttributes,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [this.callbackUrl],
        logoutUrls: [this.siteUrl],
      },
      supportedIdentityProviders: [
        ...(cog.localUsers ? [cognito.UserPoolClientIdentityProvider.COGNITO] : []),
        ...(this.federation?.clientProviders ?? []),
      ],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // ShinyProxy refreshes tokens while a session is active; a day bounds how long
      // a disabled user keeps access through an old refresh token.
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      authSessionValidity: Duration.minutes(5),
    });
    // CDK leaves ExplicitAuthFlows out when no flow is chosen, and Cognito then
    // enables SRP and custom auth: name the one flow that is used.
    (this.client.node.defaultChild as cognito.CfnUserPoolClient).explicitAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH'];
    // Cognito refuses a client naming a provider that does not exist yet.
    for (const provider of this.federation?.providers ?? []) this.client.node.addDependency(provider);
  }
}

/**
 * The domain prefix as the template states it: `cognito.domainPrefix` verbatim, or
 * the derived `<name>-login-<first UUID group of AWS::StackId>` computed by
 * CloudFormation, exactly as `cognitoDomainPrefix(cfg, stackId)` computes it offline
 * (lib/config/domain-prefix.ts documents the choice; a test evaluates this expression against it).
 */
export function domainPrefixValue(cfg: Config): string {
  if (!isDomainPrefixDerived(cfg)) return cfg.cognito.domainPrefix!;
  return Fn.join('', [derivedDomainPrefixBase(cfg), stackIdSuffixToken()]);
}

/** cognito.email → SES as the sender; the identity is the from address or its domain. */
function sesEmail(email: NonNullable<Config['cognito']['email']>, stackRegion: string): cognito.UserPoolEmail {
  const domain = email.from.slice(email.from.lastIndexOf('@') + 1);
  const byDomain = email.sesIdentity !== undefined && email.sesIdentity.toLowerCase() === domain.toLowerCase();
  return cognito.UserPoolEmail.withSES({
    fromEmail: email.from,
    fromName: email.fromName,
    replyTo: email.replyTo,
    sesVerifiedDomain: byDomain ? domain : undefined,
    // A token region (no region in shinykit.yaml) is fine: the ARN resolves at deploy.
    sesRegion: email.sesRegion ?? stackRegion,
    configurationSetName: email.configurationSet,
  });
}
