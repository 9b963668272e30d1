/**
 * The deployment switches `cdk deploy -c name=value` accepts (or the environment, for CI), read into the
 * construct's props in one place so `infra/app.ts` stays a few lines and the switches are testable.
 */
import type { Construct } from 'constructs';
import type { DsarOrchestratorProps } from './dsar-orchestrator.ts';

/** Context and environment names of every switch, for docs/deploy.md and the tests. */
export const SWITCHES = {
  alarmEmail: 'DSAR_ALARM_EMAIL',
  enableWaf: 'DSAR_ENABLE_WAF',
  sesIdentity: 'DSAR_SES_IDENTITY',
  createSesIdentity: 'DSAR_CREATE_SES_IDENTITY',
} as const;

type Switchable = Pick<DsarOrchestratorProps, 'alarmEmail' | 'enableWaf' | 'sesIdentity' | 'createSesIdentity'>;

export function propsFromContext(scope: Construct, env: NodeJS.ProcessEnv = process.env): Switchable {
  const read = (name: keyof typeof SWITCHES): string | undefined => {
    const value: unknown = scope.node.tryGetContext(name) ?? env[SWITCHES[name]];
    return value === undefined || value === '' ? undefined : String(value);
  };
  const flag = (name: keyof typeof SWITCHES): boolean | undefined => {
    const value = read(name);
    if (value === undefined) return undefined;
    if (value === 'true' || value === 'false') return value === 'true';
    throw new Error(`${name} must be true or false, not "${value}"`);
  };
  const alarmEmail = read('alarmEmail');
  const enableWaf = flag('enableWaf');
  const sesIdentity = read('sesIdentity');
  const createSesIdentity = flag('createSesIdentity');
  return {
    ...(alarmEmail ? { alarmEmail } : {}),
    ...(enableWaf !== undefined ? { enableWaf } : {}),
    ...(sesIdentity ? { sesIdentity } : {}),
    ...(createSesIdentity !== undefined ? { createSesIdentity } : {}),
  };
}
