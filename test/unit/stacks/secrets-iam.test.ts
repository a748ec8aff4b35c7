/**
 * IAM generated from apps[].secrets: the role that resolves the secrets (the host's with the
 * Docker backend, the ECS execution role with `backend: ecs`) may read exactly the referenced
 * parameters and secrets, and no other role may. Resource forms per AWS's documentation:
 * parameter ARNs are `parameter/<name without its leading />`; a Secrets Manager secret named
 * without its ARN suffix is `secret:<name>-??????` (6 random characters); no kms: statement for
 * the AWS managed keys aws/ssm and aws/secretsmanager (lib/constructs/app-secrets.ts).
 * cdk-nag and cfn-lint run on these shapes in policy-checks.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { asArray, configVariant, policyStatements, render, resourcesOf, synth, type Synthesized } from './synth.js';

const SM_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/reporting-AbC123';
const withSecrets = (backend: 'docker' | 'ecs') =>
  configVariant((raw) => {
    raw.backend = backend;
    raw.apps[0].env = { DB_HOST: 'db.internal' };
    raw.apps[0].secrets = {
      DB_PASSWORD: 'ssm:/shinykit-secrets/analytics/shiny-demo/DB_PASSWORD',
      REPORTING_KEY: SM_ARN,
      ...(backend === 'docker' ? { API_KEY: 'secretsmanager:prod/api-key' } : {}),
    };
    // Two apps sharing one parameter: one grant.
    raw.apps[1].secrets = { DB_PASSWORD: 'ssm:/shinykit-secrets/analytics/shiny-demo/DB_PASSWORD', LEGACY: 'ssm:legacy-flat' };
  });

const readsSecrets = (st: any) =>
  asArray(st.Action).some((a: string) => a === 'secretsmanager:GetSecretValue' || ((a === 'ssm:GetParameter' || a === 'ssm:GetParameters') && st.Sid !== 'ReadOwnParameters'));
const rolePolicies = (s: Synthesized, rolePrefix: string) => {
  const roleId = resourcesOf(s.hostJson, 'AWS::IAM::Role').find(([id]) => id.startsWith(rolePrefix))![0];
  return resourcesOf(s.hostJson, 'AWS::IAM::Policy')
    .filter(([, p]) => asArray(p.Properties.Roles).some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
};
const PARAM = (name: string) => `arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/${name}`;

let docker: Synthesized;
let ecs: Synthesized;
let none: Synthesized;
beforeAll(() => {
  docker = synth(withSecrets('docker'));
  ecs = synth(withSecrets('ecs'));
  none = synth(configVariant());
});

describe('apps[].secrets with the Docker backend: the host role reads exactly the references', () => {
  it('grants ssm:GetParameter on each referenced parameter ARN, once, and nothing below a wildcard', () => {
    const st = rolePolicies(docker, 'HostRole').find((s) => s.Sid === 'ReadAppSecretParameters');
    expect(asArray(st.Action)).toEqual(['ssm:GetParameter']);
    expect(asArray(st.Resource).map(render).sort()).toEqual([PARAM('legacy-flat'), PARAM('shinykit-secrets/analytics/shiny-demo/DB_PASSWORD')]);
  });

  it('grants secretsmanager:GetSecretValue on the ARN given, and on name-?????? for a secret given by name', () => {
    const st = rolePolicies(docker, 'HostRole').find((s) => s.Sid === 'ReadAppSecrets');
    expect(asArray(st.Action)).toEqual(['secretsmanager:GetSecretValue']);
    expect(asArray(st.Resource).map(render).sort()).toEqual([
      'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:prod/api-key-??????',
      SM_ARN,
    ]);
  });

  it('adds no kms: statement (aws/ssm and aws/secretsmanager are AWS managed keys)', () => {
    expect(policyStatements(docker.hostJson).filter((s) => asArray(s.Action).some((a: string) => a.startsWith('kms:')))).toEqual([]);
  });

  it('no other role of the kit may read them', () => {
    const others = resourcesOf(docker.hostJson, 'AWS::IAM::Policy')
      .filter(([id]) => !id.startsWith('HostRole'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
    expect(others.filter(readsSecrets)).toEqual([]);
    expect(policyStatements(docker.dataJson).filter(readsSecrets)).toEqual([]);
  });
});

describe('apps[].secrets with backend: ecs: the execution role reads them, the host role does not', () => {
  it('grants the execution role ssm:GetParameters on the parameter ARNs and GetSecretValue on the secret ARN', () => {
    const statements = rolePolicies(ecs, 'EcsAppsExecutionRole');
    const ssm = statements.find((s) => s.Sid === 'ReadAppSecretParameters');
    expect(asArray(ssm.Action)).toEqual(['ssm:GetParameters']);
    expect(asArray(ssm.Resource).map(render).sort()).toEqual([PARAM('legacy-flat'), PARAM('shinykit-secrets/analytics/shiny-demo/DB_PASSWORD')]);
    const sm = statements.find((s) => s.Sid === 'ReadAppSecrets');
    expect(asArray(sm.Resource)).toEqual([SM_ARN]);
  });

  it('the host role (which only registers task definitions naming them) gets no read on them', () => {
    expect(rolePolicies(ecs, 'HostRole').filter(readsSecrets)).toEqual([]);
    for (const prefix of ['EcsAppsTaskRoleshinydemo', 'EcsAppsTaskRoledashdemo']) {
      expect(rolePolicies(ecs, prefix).filter(readsSecrets)).toEqual([]);
    }
  });
});

describe('no apps[].secrets: no secret read anywhere', () => {
  it('adds neither statement to any role', () => {
    expect(policyStatements(none.hostJson).filter((s) => s.Sid === 'ReadAppSecretParameters' || s.Sid === 'ReadAppSecrets')).toEqual([]);
  });
});

describe('apps[].secrets with ecs.egress: endpoints', () => {
  it('adds interface endpoints for SSM and Secrets Manager (no NAT: ECS fetches the values through them), and none without secrets', () => {
    const endpoints = (s: Synthesized) =>
      resourcesOf(s.hostJson, 'AWS::EC2::VPCEndpoint').filter(([, r]) => r.Properties.VpcEndpointType === 'Interface').map(([, r]) => render(r.Properties.ServiceName)).sort();
    const cfg = (withSecretsToo: boolean) =>
      configVariant((raw) => {
        raw.backend = 'ecs';
        raw.ecs = { egress: 'endpoints' };
        if (withSecretsToo) raw.apps[0].secrets = { DB_PASSWORD: 'ssm:/shinykit-secrets/analytics/shiny-demo/DB_PASSWORD', REPORTING_KEY: SM_ARN };
      });
    const plain = endpoints(synth(cfg(false)));
    const secret = endpoints(synth(cfg(true)));
    expect(secret.filter((e) => !plain.includes(e))).toEqual([
      'com.amazonaws.<AWS::Region>.secretsmanager',
      'com.amazonaws.<AWS::Region>.ssm',
    ]);
    expect(plain.some((e) => e.endsWith('.ssm') || e.endsWith('.secretsmanager'))).toBe(false);
  });
});
