/**
 * Staff release in end-to-end tests: with `release: staff` (the default for access and portability) the
 * workflow waits after Assemble until staff release the package. One call does what staff do when they
 * find nothing to withhold.
 */
import type { TestRuntime } from './runtime.ts';

/** Where a request can be when its workflow stops for staff or ends: anything but awaiting_release fails at once. */
const STOPS = ['awaiting_release', 'awaiting_staff', 'completed', 'completed_partial', 'cancelled', 'denied'];

/** Waits until the request's package awaits release, then releases it as the approver. */
export async function releasePackage(rt: TestRuntime, requestId: string, timeoutMs = 60_000): Promise<void> {
  const waiting = await rt.waitForStatus(requestId, STOPS, timeoutMs);
  if (waiting.request.status !== 'awaiting_release') {
    throw new Error(`request ${requestId} is ${waiting.request.status}, not awaiting release`);
  }
  const res = await rt.api('POST', `/v1/admin/requests/${requestId}/release`, { token: rt.staffToken, body: {} });
  if (res.status !== 200) throw new Error(`releasing answered ${res.status}: ${JSON.stringify(res.body)}`);
}
