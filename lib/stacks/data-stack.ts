/**
 * `<name>-data`: the stateful resources, all retained on stack deletion — the
 * Elastic IP (and its DNS record), the ECR repositories, the Cognito user pool and,
 * with `backend: ecs` and app storage, the EFS file system.
 * The Cognito client lives here too: its callback URL needs the site hostname,
 * which needs the EIP, so keeping both in one stack avoids a cross-stack cycle.
 */
import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '../config/index.js';
import { ExtraOutputKeys, OutputKeys, ecsStorageAccessPointOutputKey, repositoryOutputKey } from '../outputs.js';
import { EfsStorage, efsStorageAppIds } from '../constructs/efs-storage.js';
import { COGNITO_MFA } from '../mfa.js';
import { Address } from '../constructs/address.js';
import { Identity } from '../constructs/identity.js';
import { Registry } from '../constructs/registry.js';
import { siteHostname, siteUrl } from '../site.js';
import type { SamlMetadata } from '../config/files.js';

export interface DataStackProps extends StackProps {
  readonly config: Config;
  /** SAML metadata XML by `metadataFile`, read from disk by the caller (lib/config/files.ts). @default none */
  readonly samlMetadata?: SamlMetadata;
}

export class DataStack extends Stack {
  readonly address: Address;
  readonly registry: Registry;
  readonly identity: Identity;
  /** `https://<prefix>.auth.<region>.amazoncognito.com`, the prefix as CloudFormation created it. */
  readonly cognitoDomainUrl: string;
  readonly siteHostname: string;
  /** Only with `backend: ecs` and apps[].storage: the EFS file system and its access points. */
  readonly storage?: EfsStorage;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const cfg = props.config;

    this.address = new Address(this, 'Address', { domain: cfg.domain, hostedZone: cfg.hostedZone });
    this.siteHostname = siteHostname(cfg, this.address.publicIp);
    this.registry = new Registry(this, 'Registry', { config: cfg });
    this.identity = new Identity(this, 'Identity', { config: cfg, siteHostname: this.siteHostname, samlMetadata: props.samlMetadata });

    // Export what the host stack imports, whatever the config: if a toggle (say,
    // setting `domain`) stopped the host using a value, CDK would drop the export
    // while the deployed host still imports it, and the data stack update would fail.
    for (const value of [
      this.address.publicIp,
      this.address.allocationId,
      this.identity.userPool.userPoolId,
      this.identity.userPool.userPoolArn,
      this.identity.client.userPoolClientId,
    ]) {
      this.exportValue(value);
    }

    // The domain's Ref is the prefix CloudFormation actually created (derived from this
    // stack's id unless the config sets one): the CLI reads it from this output, never
    // recomputes it.
    const cognitoDomainUrl = (this.cognitoDomainUrl = Fn.join('', ['https://', this.identity.domain.domainName, '.auth.', this.region, '.amazoncognito.com']));
    const url = siteUrl(this.siteHostname);
    const output = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { value, description });

    output(OutputKeys.UserPoolId, this.identity.userPool.userPoolId, 'Cognito user pool id');
    output(OutputKeys.UserPoolClientId, this.identity.client.userPoolClientId, 'Cognito app client id used by ShinyProxy (its secret is read on the host, never output)');
    output(OutputKeys.CognitoDomainUrl, cognitoDomainUrl, 'Cognito hosted UI base URL');
    output(
      OutputKeys.JwksUrl,
      Fn.join('', ['https://cognito-idp.', this.region, '.amazonaws.com/', this.identity.userPool.userPoolId, '/.well-known/jwks.json']),
      'JSON Web Key Set of the user pool',
    );
    output(
      OutputKeys.LogoutUrl,
      Fn.join('', [cognitoDomainUrl, '/logout?client_id=', this.identity.client.userPoolClientId, '&logout_uri=', url]),
      'Cognito logout URL; logout_uri equals the client sign-out URL exactly',
    );
    output(OutputKeys.SiteHostname, this.siteHostname, 'DNS name of the site');
    output(OutputKeys.SiteUrl, url, 'URL of the site');
    output(OutputKeys.HostPublicIp, this.address.publicIp, 'Elastic IP of the host');
    output(OutputKeys.Region, this.region, 'Region of the stacks');
    output(ExtraOutputKeys.UserPoolMfa, COGNITO_MFA[cfg.cognito.mfa], 'MFA mode of the user pool as deployed (OFF, OPTIONAL, ON): some switches need two deploys (shinykit validate says which)');
    if (this.identity.loginIdentityProvider) {
      output(
        ExtraOutputKeys.LoginIdentityProvider,
        this.identity.loginIdentityProvider,
        'The only sign-in provider: ShinyProxy\'s auth-url carries identity_provider=<this>, skipping the Cognito chooser',
      );
    }
    for (const app of cfg.apps) {
      output(repositoryOutputKey(app), this.registry.repositories.get(app.id)!.repositoryUri, `ECR repository URI for app ${app.id}`);
    }
    // backend: ecs with apps[].storage: the files are state, so they live here, retained; the host
    // stack adds the mount targets (they need its network) and the task roles' rights.
    if (efsStorageAppIds(cfg).length > 0) {
      const storage = (this.storage = new EfsStorage(this, 'Storage', { config: cfg }));
      output(ExtraOutputKeys.EcsStorageFileSystemId, storage.fileSystem.ref, 'EFS file system holding the apps\' storage (backend: ecs)');
      for (const [appId, ap] of storage.accessPoints) {
        output(ecsStorageAccessPointOutputKey(appId), ap.attrAccessPointId, `EFS access point of app ${appId}'s storage`);
      }
    }
  }
}
