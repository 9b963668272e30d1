/**
 * Staff release in end-to-end tests: with `release: staff` (the default for access and portability) the
 * workflow waits after Assemble until staff release the package. One call does what staff do when they
 * find nothing to withhold.
 */
import type { TestRuntime } from './runtime.ts';

/** Waits until the request's package awaits release, then releases it as the approver. */
export async function releasePackage(rt: TestRuntime, requestId: string, timeoutMs = 60_000): Promise<void> {
  await rt.waitForStatus(requestId, 'awaiting_release', timeoutMs);
  const res = await rt.api('POST', `/v1/admin/requests/${requestId}/release`, { token: rt.staffToken, body: {} });
  if (res.status !== 200) throw new Error(`releasing answered ${res.status}: ${JSON.stringify(res.body)}`);
}
