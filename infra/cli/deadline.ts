/**
 * `dsar deadline`: the deadline engine on the command line, for staff who want a date without the
 * console and for checking the engine against a calendar. Pure: argv in, {exitCode, stdout, stderr} out.
 */
import { parseArgs } from 'node:util';
import { JURISDICTIONS } from '#commons/config';
import { computeDeadlines } from '../../functions/domain/deadlines/compute.ts';
import { DeadlineInputError } from '../../functions/domain/deadlines/errors.ts';
import type { CliResult } from './main.ts';

export const DEADLINE_USAGE = `Usage: dsar deadline --jurisdiction <code> --received <instant> [--country <CC>] [--timezone <zone>]

Prints the deadlines of a request as one JSON object:
  {"jurisdiction","country","timezone","receivedDate","dueDate","extendedDueDate","acknowledgeBy"}

Options:
  --jurisdiction  ${JURISDICTIONS.join(' | ')}
  --received      when the request arrived: an ISO 8601 instant with an offset
                  (2026-03-31T22:30:00Z), or a date YYYY-MM-DD already in the controller's zone
  --country       ISO 3166-1 alpha-2 code of the controller's country; required for GDPR
                  (an EEA state), implied by the other laws (UK_GDPR: GB, CCPA/VCDPA/CPA: US,
                  LGPD: BR, PIPEDA: CA)
  --timezone      IANA zone of the controller (default: the country's, or the state's for US laws)
  -h, --help      show this help

Example:
  dsar deadline --jurisdiction GDPR --country NO --received 2026-03-31T22:30:00Z
`;

/** Exit code for bad usage or input, as most command-line tools use it. */
const USAGE_ERROR = 2;

function usageError(message: string): CliResult {
  return { exitCode: USAGE_ERROR, stdout: '', stderr: `dsar deadline: ${message}\nRun "dsar deadline --help" for usage.\n` };
}

export function runDeadline(argv: readonly string[]): CliResult {
  let values: { jurisdiction?: string; country?: string; received?: string; timezone?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        jurisdiction: { type: 'string' },
        country: { type: 'string' },
        received: { type: 'string' },
        timezone: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    // parseArgs throws TypeErrors that already name the bad option.
    return usageError((err as Error).message);
  }
  if (values.help) return { exitCode: 0, stdout: DEADLINE_USAGE, stderr: '' };

  const missing = (['jurisdiction', 'received'] as const).filter((k) => !values[k]);
  if (missing.length > 0) return usageError(`missing ${missing.map((k) => `--${k}`).join(' and ')}`);

  try {
    const d = computeDeadlines({
      jurisdiction: values.jurisdiction!,
      country: values.country,
      receivedAt: values.received!,
      timezone: values.timezone,
    });
    // Keys spelled out so the printed order is the documented one whatever the engine returns.
    const out = {
      jurisdiction: d.jurisdiction,
      country: d.country,
      timezone: d.timezone,
      receivedDate: d.receivedDate,
      dueDate: d.dueDate,
      extendedDueDate: d.extendedDueDate,
      acknowledgeBy: d.acknowledgeBy,
    };
    return { exitCode: 0, stdout: `${JSON.stringify(out)}\n`, stderr: '' };
  } catch (err) {
    if (err instanceof DeadlineInputError) return usageError(err.message);
    throw err;
  }
}
