/** The JSON status documents the host writes below `<prefix>status/` in Parameter Store. */
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';

/** The document at `name`: undefined if the host has not written it, null if it is not JSON. */
export async function readHostStatus<T>(ssm: SSMClient, name: string): Promise<T | null | undefined> {
  let value: string | undefined;
  try {
    value = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (err) {
    if ((err as Error).name !== 'ParameterNotFound') throw err;
  }
  if (!value) return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    return null;
  }
}
