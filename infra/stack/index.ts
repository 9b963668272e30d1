/** What the package exports for teams embedding the orchestrator in their own CDK app. */
export { DsarOrchestrator, CONFIG_FILE_IN_BUNDLE, type DsarDatabaseNetworkProps, type DsarOrchestratorProps, type DsarStaffIdentityProps } from './dsar-orchestrator.ts';
export { DsarStack } from './dsar-stack.ts';
