/**
 * The SaaS connectors behind one factory: the registry hands over a configuration and gets a
 * `Connector`, whatever the vendor.
 */
import type { SaasConnectorConfig } from '#commons/config';
import type { Connector, ConnectorDeps } from '#connectors/types';
import { createGoogleAnalyticsConnector } from './google-analytics/index.ts';
import { createHubSpotConnector } from './hubspot/index.ts';
import { createSalesforceConnector } from './salesforce/index.ts';
import { createStripeConnector } from './stripe/index.ts';

export function createSaasConnector(config: SaasConnectorConfig, deps: ConnectorDeps): Connector {
  switch (config.kind) {
    case 'salesforce':
      return createSalesforceConnector(config, deps);
    case 'stripe':
      return createStripeConnector(config, deps);
    case 'hubspot':
      return createHubSpotConnector(config, deps);
    case 'google-analytics':
      return createGoogleAnalyticsConnector(config, deps);
  }
}
