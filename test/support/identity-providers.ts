/**
 * Sample `cognito.identityProviders` entries (one of each type) for the tests
 * that synthesize or render a federated config. Tests that need a provider
 * shaped differently keep their own.
 */
export const GOOGLE = { type: 'google', clientId: '1234-abc.apps.googleusercontent.com', clientSecretName: 'shinykit/google-client' };

export const ENTRA = {
  type: 'oidc',
  name: 'EntraID',
  issuerUrl: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
  clientId: 'client-id',
  clientSecretName: 'shinykit/entra-client',
  attributeMapping: { groups: 'groups' },
};

export const OKTA = { type: 'saml', name: 'Okta', metadataUrl: 'https://example.okta.com/app/abc/sso/saml/metadata', attributeMapping: { groups: 'groups' } };
