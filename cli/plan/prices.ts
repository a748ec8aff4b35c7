/** The price table plan estimates with (assets/pricing/prices.json, or --prices <file>). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../lib/errors.js';
import { assetsDir } from '../../lib/assets.js';

const money = z.number().nonnegative();
const RegionPrices = z.object({
  ec2HourlyOnDemand: z.record(z.string(), money),
  ebsGp3PerGiBMonth: money,
  publicIpv4PerHour: money,
  ecrStoragePerGBMonth: money,
  ec2DetailedMonitoringPerInstanceMonth: money.optional(),
  // backend: ecs (cli/plan/ecs-cost.ts); optional so older tables still load.
  natGatewayPerHour: money.optional(),
  natGatewayPerGB: money.optional(),
  vpcInterfaceEndpointPerAzHour: money.optional(),
  vpcEndpointPerGB: money.optional(),
  fargateVcpuPerHour: money.optional(),
  fargateGBPerHour: money.optional(),
  fargateArmVcpuPerHour: money.optional(),
  fargateArmGBPerHour: money.optional(),
});
const Plan = z.object({ freeMau: z.number().int().nonnegative(), perMau: money });

export const PriceTableSchema = z.object({
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date such as 2026-11-01' }),
  currency: z.string().min(1),
  source: z.string().min(1),
  hoursPerMonth: z.number().positive().default(730),
  defaultRegion: z.string().min(1),
  regions: z.record(z.string(), RegionPrices),
  cognito: z.object({ lite: Plan, essentials: Plan, plus: Plan }),
  ecrImageGBEstimate: z.object({
    shiny: money,
    dash: money,
    custom: money,
    perExtraVersion: money,
    versionsKept: z.number().int().positive(),
  }),
});

export type PriceTable = z.output<typeof PriceTableSchema>;
export type RegionPriceTable = z.output<typeof RegionPrices>;

export function defaultPricesFile(): string {
  return join(assetsDir('pricing', 'prices.json'), 'prices.json');
}

/** Reads and checks a price table; a bad file is a usage error naming the field. */
export function loadPrices(file = defaultPricesFile()): PriceTable {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read the price table ${file}: ${(err as Error).message}`, {
      hint: 'pass --prices <file> with a JSON table shaped like assets/pricing/prices.json',
    });
  }
  const parsed = PriceTableSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(`the price table ${file} is not valid`, {
      details: parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`),
      hint: 'compare it with assets/pricing/prices.json',
    });
  }
  const missing = parsed.data.regions[parsed.data.defaultRegion] === undefined;
  if (missing) throw new UsageError(`the price table ${file} has no prices for its defaultRegion "${parsed.data.defaultRegion}"`);
  return parsed.data;
}
