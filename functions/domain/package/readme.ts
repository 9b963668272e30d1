/** README.txt: what each file of the package is, in plain words, and the CSV conventions. */
import type { PlannedSystem } from './plan.ts';
import type { AssembleInput } from './types.ts';
import { withheldText } from './withheld-section.ts';

export function readmeText(input: AssembleInput, systems: PlannedSystem[], generatedAt: string): string {
  const org = input.config.organisation;
  const access = input.request.type === 'access';
  const csvFiles = systems.flatMap((s) => s.objects.map((o) => `  ${o.csvPath}  (${s.displayName}, ${o.object}: ${o.count} records)`));
  const lines = [
    access ? `Your personal data held by ${org.name}` : `Your personal data from ${org.name}, for data portability`,
    '',
    `Request: ${input.request.requestId}`,
    `Prepared: ${generatedAt}`,
    '',
    access
      ? 'This package answers your request for access to your personal data (GDPR Article 15).'
      : 'This package answers your request for data portability (GDPR Article 20). It holds the personal data you provided to us and the data recorded from your use of our services, in structured, machine-readable files you can pass on to another service. Data we inferred or derived ourselves is not part of a portability export; you can ask for it with an access request.',
    '',
    'Files',
    ...(access ? ['  report.html  A readable report: a summary first, then your data system by system with how we process it. Open it in a web browser.'] : []),
    '  data.json    Every record in this package, grouped by system and kind of record (JSON).',
    '  schema.json  The structure of data.json, as a JSON Schema (draft 2020-12).',
    '  csv/         One CSV file per system and kind of record:',
    ...(csvFiles.length ? csvFiles : ['  (none: no records)']),
    '',
    'CSV conventions',
    '  - UTF-8 with a byte order mark, comma-separated, CRLF line ends (RFC 4180). A value holding a',
    '    comma, a double quote or a line break is in double quotes and stays in one cell.',
    '  - The first column, id, is the record\'s id in its system. The other columns are the record\'s',
    '    fields; nested fields are joined with dots (address.city), and lists or deeper structures are',
    '    written as JSON in one cell. data.json has the exact values.',
    "  - A text cell that starts with =, +, -, @, a tab or a carriage return is written with a single",
    "    quote (') in front, so that spreadsheet programs show it as text instead of running it as a",
    '    formula. Remove that quote to get the original value; data.json has it unchanged.',
    '',
    ...withheldText(input),
    `Questions: ${org.dpo.name}, ${org.dpo.email}. Privacy notice: ${org.privacyNoticeUrl}`,
    '',
  ];
  return lines.join('\r\n');
}
