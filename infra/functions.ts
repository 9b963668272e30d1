/**
 * Every Lambda function of the product, described once: the CDK stack deploys each as a NodejsFunction
 * with exactly the grants listed here, and the embedded runtime imports the same entry files and serves
 * the same routes. Adding a function here is all either side needs.
 */
import { intakeMaxBodyBytes } from '../functions/commons/config.ts';

export type Grant =
  /** GetItem and Query (the table and its indexes). */
  | 'table:read'
  /** PutItem, UpdateItem and DeleteItem. */
  | 'table:write'
  /** Query only, for a job that reads an index and nothing else. */
  | 'table:query'
  /** UpdateItem only, for a job that changes items it found and never creates or deletes one. */
  | 'table:update'
  /** PutItem only, for a step that stores an item of its own and changes nothing else. */
  | 'table:put'
  | 'staging:read'
  | 'staging:write'
  /** List and delete only: ends staged copies once nothing needs them. */
  | 'staging:delete'
  | 'exports:read'
  | 'exports:write'
  /** List and delete only: an erasure removes the subject's earlier packages. */
  | 'exports:delete'
  /** PutObject (and Delete, to undo a filing that failed) in the documents bucket: agents' signed permissions. */
  | 'documents:write'
  /** GetObject in the documents bucket, for the staff's presigned link to a permission. */
  | 'documents:read'
  /** DeleteObject only: an erasure removes the permissions agents gave on the subject's earlier requests. */
  | 'documents:delete'
  | 'sfn:start'
  | 'sfn:complete-task'
  /** SendTaskFailure: staff refusing a waiting task (a review denied or forwarded), which the state's Catch routes. */
  | 'sfn:refuse-task'
  | 'sfn:stop'
  | 'ses:send'
  /** Read the secret key verification codes are hashed with (only the functions that hash codes). */
  | 'secret:code-key'
  | 'connectors'
  | 'connectors:erase';

export interface FunctionSpec {
  /** Short id; the deployed name is `<stack>-<id>`. */
  id: string;
  /** Entry file, relative to the repository root. */
  entry: string;
  /** The ASL placeholder that receives this function's ARN, for workflow steps. */
  placeholder?: string;
  /** HTTP routes served by this function (API Gateway HTTP API route keys). */
  routes?: Array<{ method: 'GET' | 'POST'; path: string; staff?: boolean; maxBodyBytes?: number }>;
  grants: Grant[];
  timeoutSeconds: number;
  memoryMb: number;
  /** EventBridge Scheduler expression for scheduled jobs, e.g. 'rate(1 hour)'. */
  schedule?: string;
  /** An SNS topic of the stack the function is subscribed to (locally, the SES mailbox simulator of infra/local/ses-simulator.ts feeds it). */
  topic?: 'mail-events';
  /** V8 heap flags the function runs with (its NODE_OPTIONS, beside --enable-source-maps). */
  heapFlags?: readonly string[];
}

/**
 * The heap of a process that builds an access package (issue 18, docs/benchmarks.md "Package assembly").
 * Its live V8 heap stays about 25 MiB at any size (it streams), but with V8's defaults on a large machine
 * the heap and the ArrayBuffers of the deflate and upload chunks grow between collections: 1M records
 * peaked at 282-292 MiB of RSS. A bounded old space makes V8 size its heap limits and collect as for a
 * small machine (149-180 MiB at 1M records, no slower); a 4 MiB semi-space keeps the young generation
 * at 8 MiB (by default it grows to 64 MiB: two 32 MiB semi-spaces). 192 MiB is 7x the live heap, so it is a bound on garbage, not
 * on the package. Only these V8 flags: Node refuses --optimize-for-size in NODE_OPTIONS (and it made
 * assembly 1.7x slower).
 */
export const PACKAGE_HEAP_FLAGS = ['--max-semi-space-size=4', '--max-old-space-size=192'] as const;

const api = (id: string, routes: FunctionSpec['routes'], grants: Grant[]): FunctionSpec => ({
  id,
  entry: `functions/handlers/api/${id}.ts`,
  routes,
  grants,
  timeoutSeconds: 15,
  memoryMb: 512,
});

const step = (id: string, placeholder: string, grants: Grant[], timeoutSeconds = 60, memoryMb = 512): FunctionSpec => ({
  id,
  entry: `functions/handlers/workflow/${id}.ts`,
  placeholder,
  grants,
  timeoutSeconds,
  memoryMb,
});

export const FUNCTIONS: FunctionSpec[] = [
  // The intake body may carry an agent's signed permission (base64), so its route reads more than the others.
  api('create-request', [{ method: 'POST', path: '/v1/requests', maxBodyBytes: intakeMaxBodyBytes() }], ['table:read', 'table:write', 'sfn:start', 'documents:write']),
  api('verify-request', [{ method: 'POST', path: '/v1/requests/{id}/verify' }], ['table:read', 'table:write', 'sfn:complete-task', 'secret:code-key']),
  api('resend-code', [{ method: 'POST', path: '/v1/requests/{id}/code' }], ['table:read', 'table:write', 'ses:send', 'secret:code-key']),
  api('get-request-status', [{ method: 'GET', path: '/v1/requests/{id}' }], ['table:read']),
  api('subject-reply', [{ method: 'POST', path: '/v1/requests/{id}/reply' }], ['table:read', 'table:write']),
  api('download', [{ method: 'GET', path: '/v1/downloads/{id}' }], ['table:read', 'table:write', 'exports:read']),
  api('admin-list-requests', [{ method: 'GET', path: '/v1/admin/requests', staff: true }], ['table:read']),
  api('admin-get-request', [{ method: 'GET', path: '/v1/admin/requests/{id}', staff: true }], ['table:read']),
  api('admin-request-history', [{ method: 'GET', path: '/v1/admin/requests/{id}/history', staff: true }], ['table:read']),
  // Before admin-act: its greedy `{action}` route would match these paths too in the local adapter,
  // which takes the first match in this order (API Gateway prefers the more specific route anyway).
  api(
    'admin-deadline',
    [
      { method: 'POST', path: '/v1/admin/requests/{id}/extend', staff: true },
      { method: 'POST', path: '/v1/admin/requests/{id}/pause', staff: true },
      { method: 'POST', path: '/v1/admin/requests/{id}/resume', staff: true },
    ],
    ['table:read', 'table:write', 'ses:send'],
  ),
  // Before admin-act too, for the same reason.
  api(
    'admin-conversation',
    [
      { method: 'POST', path: '/v1/admin/requests/{id}/notes', staff: true },
      { method: 'POST', path: '/v1/admin/requests/{id}/messages', staff: true },
    ],
    ['table:read', 'table:write', 'ses:send'],
  ),
  api('admin-metrics', [{ method: 'GET', path: '/v1/admin/metrics', staff: true }], ['table:read']),
  // Follow-up tasks under a request (functions/domain/todos); before admin-act, as above.
  api('admin-list-tasks', [{ method: 'GET', path: '/v1/admin/requests/{id}/tasks', staff: true }], ['table:read']),
  api('admin-task-act', [{ method: 'POST', path: '/v1/admin/requests/{id}/tasks/{n}/{action}', staff: true }], ['table:read', 'table:write']),
  // Imports and sign-up flows ask which addresses opted out of marketing before they turn it on.
  api('admin-suppressions', [{ method: 'POST', path: '/v1/admin/suppressions/check', staff: true }], ['table:read']),
  api('admin-package', [{ method: 'GET', path: '/v1/admin/requests/{id}/package', staff: true }], ['table:read', 'table:write', 'exports:read']),
  api('admin-agent-permission', [{ method: 'GET', path: '/v1/admin/requests/{id}/agent-permission', staff: true }], ['table:read', 'table:write', 'documents:read']),
  // Release after staff review (functions/domain/release/): a withholding rebuilds the package from staging,
  // (the release itself is admin-act's `release`: it completes the workflow's task like approve does),
  // so the function gets one whole vCPU (1,769 MB) and the most time an HTTP API integration allows (30 s).
  // Before admin-act, for the same reason as admin-deadline.
  {
    ...api(
      'admin-release',
      [
        { method: 'GET', path: '/v1/admin/requests/{id}/contents', staff: true },
        { method: 'POST', path: '/v1/admin/requests/{id}/withhold', staff: true },
      ],
      ['table:read', 'table:write', 'staging:read', 'exports:write'],
    ),
    timeoutSeconds: 29,
    memoryMb: 1769,
    // A withholding rebuilds the package: the same assembly, so the same heap as assemble.
    heapFlags: PACKAGE_HEAP_FLAGS,
  },
  // staging:delete and exports:delete: cancelling a request whose package awaits release deletes both.
  // sfn:start: the partner's instruction reopens a forwarded request with a new run (processor mode).
  api('admin-act', [{ method: 'POST', path: '/v1/admin/requests/{id}/{action}', staff: true }], ['table:read', 'table:write', 'sfn:start', 'sfn:complete-task', 'sfn:refuse-task', 'sfn:stop', 'ses:send', 'staging:delete', 'exports:delete']),
  step('record-receipt', 'RecordReceiptFunctionArn', ['table:read', 'table:write', 'ses:send']),
  step('await-task', 'AwaitTaskFunctionArn', ['table:read', 'table:write', 'ses:send', 'secret:code-key']),
  // Processor mode: reads the subject's account attribute (connectors) to recognise a partner's end user;
  // then the preview before review (workflow/before-review.ts, preview.ts): marks the request as being
  // counted, counts with every connector (reading only, exporting nothing), stores the counts once. Each
  // connector's count has 90 s; the state waits 110 s.
  step('match-partner', 'MatchPartnerFunctionArn', ['table:read', 'table:write', 'connectors'], 120),
  step('approve-automatically', 'ApproveAutomaticallyFunctionArn', ['table:read', 'table:write']),
  step('plan-connectors', 'PlanConnectorsFunctionArn', ['table:read', 'table:write', 'connectors']),
  // table:write: a throttled run puts `connector.throttled` on the audit trail before the workflow waits.
  step('collect', 'CollectFunctionArn', ['table:read', 'table:write', 'staging:write', 'connectors'], 900, 1024),
  // The act phase (erase, suppress marketing): the one step that changes the company's data in connectors.
  step('act', 'ActFunctionArn', ['table:read', 'table:write', 'connectors:erase'], 900, 1024),
  step('confirm-erasure', 'ConfirmErasureFunctionArn', ['table:read', 'table:write', 'connectors'], 900, 1024),
  step('reconcile', 'ReconcileFunctionArn', ['table:read', 'table:write']),
  // 5,307 MB buys 3 vCPUs (Lambda gives 1 vCPU per 1,769 MB): one parses the staged records while two
  // deflate data.json and the CSVs on the thread pool at the same time (package/spool.ts). The process
  // itself stays under 256 MB: the setting is bought for the CPU, not the RAM (at 1,024 MB the function
  // had 0.58 of one vCPU, so the deflate threads had nothing to run on).
  {
    ...step('assemble', 'AssembleFunctionArn', ['table:read', 'table:write', 'staging:read', 'staging:delete', 'exports:write'], 900, 5307),
    heapFlags: PACKAGE_HEAP_FLAGS,
  },
  // Records a step that failed after its retries, so the request waits for staff in NeedsAttention.
  step('record-failure', 'RecordFailureFunctionArn', ['table:read', 'table:write']),
  // staging, exports and documents delete: an erasure's close removes the subject's earlier copies and agents' permissions.
  step('notify-subject', 'NotifySubjectFunctionArn', ['table:read', 'table:write', 'ses:send', 'staging:delete', 'exports:delete', 'documents:delete']),
  {
    id: 'escalate',
    entry: 'functions/handlers/scheduled/escalate.ts',
    grants: ['table:read', 'table:write', 'ses:send'],
    timeoutSeconds: 300,
    memoryMb: 512,
    schedule: 'rate(1 hour)',
  },
  {
    // Reads back, after the vendor's window, deletions a vendor completes on its own schedule; tells staff.
    id: 'recheck-erasures',
    entry: 'functions/handlers/scheduled/recheck-erasures.ts',
    // table:write: the audit event and the re-check item it finishes (or gives back); connectors: the read-back.
    grants: ['table:read', 'table:write', 'ses:send', 'connectors'],
    timeoutSeconds: 900,
    memoryMb: 512,
    schedule: 'rate(1 hour)',
  },
  {
    // Bounces and complaints of the SES configuration set, onto the request's audit trail.
    id: 'record-mail-event',
    entry: 'functions/handlers/events/record-mail-event.ts',
    grants: ['table:read', 'table:write'],
    timeoutSeconds: 30,
    memoryMb: 256,
    topic: 'mail-events',
  },
  {
    id: 'retention-sweep',
    entry: 'functions/handlers/scheduled/retention-sweep.ts',
    // It queries the purge index and hashes the subject fields of what it finds: nothing else.
    grants: ['table:query', 'table:update'],
    timeoutSeconds: 300,
    memoryMb: 256,
    schedule: 'rate(1 day)',
  },
];
