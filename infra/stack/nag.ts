import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * How cdk-nag prints a resource in a finding id (`<Logical.Arn>`, `<AWS::AccountId>`), so that an
 * acknowledgement names exactly that resource and not a whole rule.
 */
export function nagString(scope: Construct, value: string): string {
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, unknown>;
    if ('Ref' in o) return `<${String(o.Ref)}>`;
    if ('Fn::GetAtt' in o) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(sep);
    }
    return JSON.stringify(v);
  };
  return render(Stack.of(scope).resolve(value));
}
