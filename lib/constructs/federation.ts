/**
 * Federation: the external identity providers of the user pool (Google, OIDC,
 * SAML) from cognito.identityProviders.
 *
 * Every provider maps the email address (ShinyProxy's username-attribute) and,
 * where the provider has one, the display name; OIDC and SAML providers may map
 * their groups claim into custom:groups for the group-mapping trigger.
 *
 * Client secrets are referenced by Secrets Manager secret NAME: the template holds
 * the dynamic reference `{{resolve:secretsmanager:<name>:SecretString:::}}`, which
 * CloudFormation resolves while deploying and never writes into the template,
 * its outputs or the stack events. The secret's value is its whole SecretString.
 */
import { SecretValue } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { SamlMetadata } from '../config/files.js';
import { GROUPS_ATTRIBUTE, SAML_EMAIL_CLAIM, identityProviderName, type Config, type IdentityProviderConfig } from '../config/index.js';

export interface FederationProps {
  readonly config: Config;
  readonly userPool: cognito.IUserPool;
  /** SAML metadata XML by `metadataFile` (read at the edge: lib/config/files.ts). @default none */
  readonly samlMetadata?: SamlMetadata;
}

export class Federation extends Construct {
  /** One per configured provider, in config order. */
  readonly providers: readonly cognito.IUserPoolIdentityProvider[];
  /** The providers as the app client lists them. */
  readonly clientProviders: readonly cognito.UserPoolClientIdentityProvider[];

  constructor(scope: Construct, id: string, props: FederationProps) {
    super(scope, id);
    const providers: cognito.IUserPoolIdentityProvider[] = [];
    for (const p of props.config.cognito.identityProviders) {
      providers.push(this.provider(p, props));
    }
    this.providers = providers;
    this.clientProviders = props.config.cognito.identityProviders.map((p) =>
      p.type === 'google' ? cognito.UserPoolClientIdentityProvider.GOOGLE : cognito.UserPoolClientIdentityProvider.custom(p.name),
    );
  }

  private provider(p: IdentityProviderConfig, props: FederationProps): cognito.IUserPoolIdentityProvider {
    const userPool = props.userPool;
    const name = identityProviderName(p);
    switch (p.type) {
      case 'google':
        return new cognito.UserPoolIdentityProviderGoogle(this, name, {
          userPool,
          clientId: p.clientId,
          clientSecretValue: SecretValue.secretsManager(p.clientSecretName),
          scopes: ['openid', 'email', 'profile'],
          attributeMapping: {
            email: cognito.ProviderAttribute.GOOGLE_EMAIL,
            emailVerified: cognito.ProviderAttribute.GOOGLE_EMAIL_VERIFIED,
            fullname: cognito.ProviderAttribute.GOOGLE_NAME,
          },
        });
      case 'oidc': {
        const m = p.attributeMapping ?? {};
        return new cognito.UserPoolIdentityProviderOidc(this, name, {
          userPool,
          name: p.name,
          issuerUrl: p.issuerUrl,
          clientId: p.clientId,
          // The OIDC construct takes a string: unwrapping yields the dynamic
          // reference text, not the secret (CloudFormation resolves it at deploy).
          clientSecret: SecretValue.secretsManager(p.clientSecretName).unsafeUnwrap(),
          scopes: [...p.scopes],
          attributeRequestMethod: cognito.OidcAttributeRequestMethod.GET,
          attributeMapping: {
            email: cognito.ProviderAttribute.other(m.email ?? 'email'),
            fullname: cognito.ProviderAttribute.other(m.name ?? 'name'),
            // Read by the group-mapping trigger: only a verified email counts for
            // federatedEmailDomains. Providers that do not send it leave it unset.
            emailVerified: cognito.ProviderAttribute.other(m.emailVerified ?? 'email_verified'),
            ...groupsMapping(m.groups),
          },
        });
      }
      case 'saml': {
        const m = p.attributeMapping ?? {};
        const metadata = p.metadataUrl
          ? cognito.UserPoolIdentityProviderSamlMetadata.url(p.metadataUrl)
          : cognito.UserPoolIdentityProviderSamlMetadata.file(samlMetadataOf(p.metadataFile!, props.samlMetadata));
        return new cognito.UserPoolIdentityProviderSaml(this, name, {
          userPool,
          name: p.name,
          metadata,
          attributeMapping: {
            email: cognito.ProviderAttribute.other(m.email ?? SAML_EMAIL_CLAIM),
            ...(m.name ? { fullname: cognito.ProviderAttribute.other(m.name) } : {}),
            ...groupsMapping(m.groups),
          },
        });
      }
    }
  }
}

/** `custom:groups` ← the provider's groups claim, when one is configured. */
function groupsMapping(claim: string | undefined): Pick<cognito.AttributeMapping, 'custom'> {
  return claim ? { custom: { [GROUPS_ATTRIBUTE]: cognito.ProviderAttribute.other(claim) } } : {};
}

/** The SAML metadata XML the caller read (it is part of the template). */
function samlMetadataOf(file: string, metadata: SamlMetadata | undefined): string {
  const xml = metadata?.[file];
  // A caller bug, not a user mistake: bin/ and plan read every metadataFile first.
  if (xml === undefined) throw new Error(`SAML metadataFile ${file} was not read before synthesis (pass samlMetadata)`);
  return xml;
}
