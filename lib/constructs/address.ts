/**
 * Address: the Elastic IP the site lives at, and optionally its DNS record.
 *
 * The EIP is retained when the stack is deleted: DNS records and allow-lists
 * outside AWS point at it, and a new address would break them all. Not when the
 * stack's first create rolls back (`RetainExceptOnCreate`): nothing points at it
 * yet, and a plain `Retain` would leave an address billing by the hour.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';

export interface AddressProps {
  /** The site's DNS name; with `hostedZone`, an A record for it is created. */
  readonly domain?: string;
  /**
   * Route 53 public hosted zone (by name) that holds `domain`. The record names
   * the zone by name, not id, so synth needs no lookup and no credentials.
   */
  readonly hostedZone?: string;
  /** TTL of the A record in seconds. @default 300 */
  readonly recordTtlSeconds?: number;
}

export class Address extends Construct {
  readonly eip: ec2.CfnEIP;
  /** The public IPv4 address (a token). */
  readonly publicIp: string;
  readonly allocationId: string;
  readonly record?: route53.CfnRecordSet;

  constructor(scope: Construct, id: string, props: AddressProps = {}) {
    super(scope, id);
    this.eip = new ec2.CfnEIP(this, 'Eip', { domain: 'vpc' });
    this.eip.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    this.publicIp = this.eip.attrPublicIp;
    this.allocationId = this.eip.attrAllocationId;

    if (props.hostedZone !== undefined) {
      if (props.domain === undefined) throw new Error('Address: hostedZone needs domain');
      this.record = new route53.CfnRecordSet(this, 'ARecord', {
        hostedZoneName: `${props.hostedZone}.`,
        name: `${props.domain}.`,
        type: 'A',
        ttl: String(props.recordTtlSeconds ?? 300),
        resourceRecords: [this.publicIp],
      });
    }
  }
}
