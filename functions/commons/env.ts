/** Reads a required environment variable; a missing one is a deployment mistake, so say which. */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** The names of the resources a function works on, from its environment. */
export const resources = {
  table: () => requiredEnv('DSAR_TABLE'),
  stagingBucket: () => requiredEnv('DSAR_STAGING_BUCKET'),
  exportsBucket: () => requiredEnv('DSAR_EXPORTS_BUCKET'),
  documentsBucket: () => requiredEnv('DSAR_DOCUMENTS_BUCKET'),
  stateMachineArn: () => requiredEnv('DSAR_STATE_MACHINE_ARN'),
};
