/** Det den registrerte får vite om deler av pakken som ble holdt tilbake før utlevering (GDPR art. 15 nr. 4, art. 20 nr. 4). */
import type { release as en } from '../en/release.ts';

export const release: Record<keyof typeof en, string> = {
  'release.withheld.heading': 'Hva vi holdt tilbake, og hvorfor',
  'release.withheld.intro':
    'Retten til en kopi av opplysningene dine skal ikke krenke andres rettigheter og friheter (personvernforordningen artikkel 15 nr. 4 og artikkel 20 nr. 4). Før vi sendte denne pakken, holdt vi tilbake det som står nedenfor, med begrunnelsen for hvert punkt. Du kan spørre personvernombudet vårt om dette, og du kan klage til tilsynsmyndigheten.',
  'release.withheld.object': '{system}, {object}: alle oppføringer av denne typen',
  'release.withheld.record': '{system}, {object}: oppføringen {recordId}',
  'release.withheld.field.all': '{system}, {object}: feltet «{field}» i alle oppføringer',
  'release.withheld.field.record': '{system}, {object}: feltet «{field}» i oppføringen {recordId}',
  'release.reason.third_party': 'Det inneholder personopplysninger om andre personer, og utlevering ville krenke deres rettigheter og friheter (personvernforordningen artikkel 15 nr. 4).',
  'release.reason.staff_remarks': 'Det er en intern merknad skrevet av våre ansatte, ikke opplysninger om deg som vi bruker i saker som gjelder deg.',
  'release.reason.legal_privilege': 'Det er omfattet av advokatens taushetsplikt.',
  'release.reason.other': 'En annen grunn:',
  'release.withheld.text.heading': 'Hva vi holdt tilbake, og hvorfor (personvernforordningen artikkel 15 nr. 4 og 20 nr. 4)',
};
