/** Google Analytics' one object as the access report names it (see ../fields.ts). */
import type { ConnectorDictionary } from '../fields.ts';

export const googleAnalyticsFields: ConnectorDictionary = {
  objects: {
    recipient: {
      label: { en: 'Analytics identifiers', nb: 'Analyse-ID-er' },
      fields: {
        recipient: { label: { en: 'Service', nb: 'Tjeneste' }, title: true },
        property: { hidden: true },
        'identifiers.userId': { label: { en: 'User id', nb: 'Bruker-ID' } },
        'identifiers.clientId': { label: { en: 'Browser id (cookie)', nb: 'Nettleser-ID (informasjonskapsel)' } },
      },
    },
  },
};
