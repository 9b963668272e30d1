/**
 * report.html: the access answer a person reads. Self-contained (inline CSS, no scripts, nothing
 * fetched; a Content-Security-Policy forbids both in case a value ever slipped through), every value
 * HTML-escaped. It shows the data grouped by system and category (at most REPORT_ROWS records per
 * object, the rest are in data.json and the CSV), then the information GDPR Art. 15(1)(a)-(h) and 15(2)
 * require, and the systems that could not be included.
 */
import { cellText, OTHER_COLUMN, toCells } from './flatten.ts';
import type { PlannedObject, PlannedSystem } from './plan.ts';
import type { AssembleInput, MissingSource } from './types.ts';
import { ORIGIN_LABELS } from './view.ts';
import { withheldSection } from './withheld-section.ts';

/** Wider tables are unreadable on a page; the CSV has every column. */
const REPORT_COLUMNS = 40;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return cellText(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A link only for http(s) addresses; anything else (say `javascript:`) is shown as text. */
function link(url: string, text?: string): string {
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    ok = false;
  }
  return ok ? `<a href="${escapeHtml(url)}">${escapeHtml(text ?? url)}</a>` : escapeHtml(text ?? url);
}

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;max-width:72rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{border-bottom:2px solid #ccc;padding-bottom:.2rem;margin-top:2.5rem}
h3{margin-top:1.8rem}h4{margin:1.2rem 0 .3rem;color:#333}
.muted{color:#555}.note{background:#f4f6f8;border-left:4px solid #8a9aad;padding:.5rem .8rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
.scroll{overflow-x:auto;margin:.4rem 0 1rem}
table{border-collapse:collapse;font-size:.85rem}th,td{border:1px solid #ccc;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#eef1f4}td{white-space:pre-wrap;word-break:break-word;max-width:28rem}
@media print{.scroll{overflow:visible}a{color:inherit}}
`;

function dateOnly(value: string): string {
  return /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : value;
}

function list(items: string[]): string {
  return `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
}

export function* reportHtml(input: AssembleInput, systems: PlannedSystem[], generatedAt: string): Iterable<string> {
  const { config, request } = input;
  const org = config.organisation;
  const missing = input.missing ?? [];
  yield '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">';
  yield `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`;
  yield '<meta name="viewport" content="width=device-width, initial-scale=1">';
  yield `<title>Your personal data held by ${escapeHtml(org.name)}</title><style>${STYLE}</style></head><body>`;
  yield `<header><h1>Your personal data held by ${escapeHtml(org.name)}</h1>`;
  yield `<p class="muted">${escapeHtml(org.name)}, ${escapeHtml(org.address)}. Data protection officer: ${escapeHtml(org.dpo.name)}, ${escapeHtml(org.dpo.email)}.</p></header>`;

  yield '<section id="request"><h2>Your request</h2><dl>';
  yield `<dt>Reference</dt><dd>${escapeHtml(request.requestId)}</dd>`;
  yield `<dt>Type</dt><dd>Access to your personal data</dd>`;
  yield `<dt>Requested by</dt><dd>${request.subject.name ? `${escapeHtml(request.subject.name)}, ` : ''}${escapeHtml(request.subject.email)}</dd>`;
  yield `<dt>Received</dt><dd>${escapeHtml(dateOnly(request.receivedDate))}</dd>`;
  yield `<dt>Answer due</dt><dd>${escapeHtml(dateOnly(request.dueDate))}</dd>`;
  yield `<dt>Law applied</dt><dd>${escapeHtml(request.jurisdiction)}</dd>`;
  yield `<dt>Prepared</dt><dd>${escapeHtml(generatedAt)}</dd></dl>`;
  yield '<p class="note">This package holds a copy of the personal data we hold about you (this report, <code>data.json</code> with every record, and one CSV file per kind of record in the <code>csv</code> folder), followed by the information about how we process it that you are entitled to. <code>README.txt</code> describes the files.</p></section>';

  yield* overview(systems, missing);
  yield '<section id="data"><h2>Your data, by system</h2>';
  for (const system of systems) yield* systemSection(system);
  yield '</section>';
  yield* notIncluded(missing);
  yield* withheldSection(input);
  yield* article15(input, systems);
  yield `<footer><p class="muted">Prepared for request ${escapeHtml(request.requestId)} on ${escapeHtml(generatedAt)}. Our privacy notice: ${link(org.privacyNoticeUrl)}.</p></footer>`;
  yield '</body></html>\n';
}

function* overview(systems: PlannedSystem[], missing: MissingSource[]): Iterable<string> {
  yield '<section id="overview"><h2>Overview</h2>';
  yield '<div class="scroll"><table><thead><tr><th>System</th><th>Category</th><th>Kind of record</th><th>Records</th><th>Where it comes from</th></tr></thead><tbody>';
  for (const s of systems) {
    if (s.objects.length === 0) {
      yield `<tr><td>${escapeHtml(s.displayName)}</td><td colspan="4">We searched this system and found no personal data about you.</td></tr>`;
    }
    for (const o of s.objects) {
      yield `<tr><td>${escapeHtml(s.displayName)}</td><td>${escapeHtml(o.category)}</td><td>${escapeHtml(o.object)}</td><td>${o.count}</td><td>${escapeHtml(ORIGIN_LABELS[o.origin])}</td></tr>`;
    }
  }
  for (const m of missing) {
    yield `<tr><td>${escapeHtml(m.displayName)}</td><td colspan="4">Not included: see <a href="#not-included">below</a>.</td></tr>`;
  }
  yield '</tbody></table></div></section>';
}

function* systemSection(system: PlannedSystem): Iterable<string> {
  yield `<section class="system"><h3>${escapeHtml(system.displayName)}</h3>`;
  if (system.objects.length === 0) {
    yield '<p>We searched this system and found no personal data about you.</p></section>';
    return;
  }
  const byCategory = new Map<string, PlannedObject[]>();
  for (const o of system.objects) byCategory.set(o.category, [...(byCategory.get(o.category) ?? []), o]);
  for (const [category, objects] of byCategory) {
    yield `<h4>${escapeHtml(category)}</h4>`;
    for (const o of objects) yield* objectTable(o);
  }
  yield '</section>';
}

/** The object's table, from the records the planning pass kept: the report reads no staged object. */
function* objectTable(o: PlannedObject): Iterable<string> {
  const shownColumns = o.columns.slice(0, REPORT_COLUMNS);
  const index = new Map(o.columns.map((c, i) => [c, i]));
  yield `<p><strong>${escapeHtml(o.object)}</strong>: ${o.count} record${o.count === 1 ? '' : 's'}. ${escapeHtml(ORIGIN_LABELS[o.origin])}.</p>`;
  yield '<div class="scroll"><table><thead><tr><th>id</th>';
  for (const c of shownColumns) yield `<th>${escapeHtml(c)}</th>`;
  if (o.overflow || o.columns.length > REPORT_COLUMNS) yield `<th>${escapeHtml(OTHER_COLUMN)}</th>`;
  yield '</tr></thead><tbody>';
  let shown = 0;
  for (const view of o.preview) {
    const cells = toCells(view.data, o.columns, index, o.overflow);
    yield `<tr><td>${escapeHtml(view.id)}</td>`;
    for (let i = 0; i < shownColumns.length; i++) yield `<td>${escapeHtml(cells[i])}</td>`;
    if (o.overflow || o.columns.length > REPORT_COLUMNS) {
      // Columns that did not fit are shown together, as JSON, in the last cell.
      const rest: Record<string, unknown> = {};
      for (let i = REPORT_COLUMNS; i < o.columns.length; i++) if (cells[i] !== undefined) rest[o.columns[i]!] = cells[i];
      const other = o.overflow ? (cells[o.columns.length] as Record<string, unknown> | undefined) : undefined;
      Object.assign(rest, other ?? {});
      yield `<td>${Object.keys(rest).length ? escapeHtml(rest) : ''}</td>`;
    }
    yield '</tr>';
    shown += 1;
  }
  yield '</tbody></table></div>';
  if (o.count > shown) {
    yield `<p class="note">This table shows the first ${shown} of ${o.count} records. The other ${o.count - shown} are in <code>data.json</code> and in <code>${escapeHtml(o.csvPath)}</code>.</p>`;
  } else if (o.columns.length > REPORT_COLUMNS) {
    yield `<p class="note">Every field is in <code>data.json</code> and in <code>${escapeHtml(o.csvPath)}</code>.</p>`;
  }
}

function* notIncluded(missing: MissingSource[]): Iterable<string> {
  yield '<section id="not-included"><h2>Not included in this package</h2>';
  if (missing.length === 0) {
    yield '<p>Every system that holds personal data was searched, and what was found is included above.</p></section>';
    return;
  }
  yield '<p>We could not include the data of the following systems. We will tell you when we can, or you may ask us about it at any time.</p>';
  yield '<div class="scroll"><table><thead><tr><th>System</th><th>Reason</th></tr></thead><tbody>';
  for (const m of missing) yield `<tr><td>${escapeHtml(m.displayName)}</td><td>${escapeHtml(m.reason)}</td></tr>`;
  yield '</tbody></table></div></section>';
}

function* article15(input: AssembleInput, systems: PlannedSystem[]): Iterable<string> {
  const { privacyNotice: notice, supervisoryAuthority: authority, organisation: org } = input.config;
  yield '<section id="information"><h2>How we process your personal data</h2>';
  yield '<p class="muted">The information below is what the GDPR (Article 15) entitles you to with a copy of your data.</p>';

  yield '<h3 id="purposes">Purposes of the processing</h3>';
  yield list(notice.purposes);

  yield '<h3 id="categories">Categories of personal data</h3>';
  const found = [...new Set(systems.flatMap((s) => s.objects.map((o) => o.category)))];
  if (found.length) yield `<p>In your data we found these categories: ${found.map(escapeHtml).join(', ')}.</p>`;
  yield '<p>The categories of personal data we process in general:</p>';
  yield list(notice.categories);

  yield '<h3 id="recipients">Recipients of your personal data</h3>';
  if (notice.recipients.length === 0) {
    yield '<p>We do not disclose your personal data to other organisations.</p>';
  } else {
    yield '<div class="scroll"><table><thead><tr><th>Recipient</th><th>Role</th><th>Purpose</th><th>Country</th><th>Outside the EU/EEA (third country)</th></tr></thead><tbody>';
    for (const r of notice.recipients) {
      yield `<tr><td>${escapeHtml(r.name)}</td><td>${escapeHtml(r.role)}</td><td>${escapeHtml(r.purpose)}</td><td>${escapeHtml(r.country ?? 'not stated')}</td><td>${r.thirdCountry ? 'Yes' : 'No'}</td></tr>`;
    }
    yield '</tbody></table></div>';
  }

  yield '<h3 id="retention">How long we keep your personal data</h3>';
  yield list(notice.retention);

  yield '<h3 id="rights">Your rights</h3>';
  yield '<p>You have the right to ask us for rectification of inaccurate data, erasure of your data, restriction of its processing, and to object to its processing. Where processing rests on your consent or a contract and is automated, you may also receive the data you provided in a machine-readable form (data portability). Where processing rests on consent, you may withdraw it at any time.</p>';
  yield `<p>${escapeHtml(notice.rights)}</p>`;
  yield `<p>Contact our data protection officer, ${escapeHtml(org.dpo.name)}, at ${escapeHtml(org.dpo.email)}.</p>`;

  yield '<h3 id="complaint">Your right to lodge a complaint with a supervisory authority</h3>';
  yield `<p>If you believe we process your personal data unlawfully, you may lodge a complaint with a supervisory authority, in particular in the country where you live or work or where the infringement took place. Our lead supervisory authority is:</p>`;
  yield `<p><strong>${escapeHtml(authority.name)}</strong><br>${escapeHtml(authority.address)}<br>${link(authority.url)}</p>`;

  yield '<h3 id="sources">Where your personal data comes from</h3>';
  yield list(notice.sources);
  const origins = systems.flatMap((s) => s.objects.filter((o) => o.origin !== 'provided').map((o) => `${s.displayName}, ${o.object}: ${ORIGIN_LABELS[o.origin].toLowerCase()}`));
  if (origins.length) {
    yield '<p>In your data, these records were not provided by you directly:</p>';
    yield list(origins);
  }

  yield '<h3 id="automated-decisions">Automated decision-making, including profiling</h3>';
  yield `<p>${escapeHtml(notice.automatedDecisions)}</p>`;

  yield '<h3 id="transfers">Transfers to third countries and safeguards</h3>';
  yield `<p>${escapeHtml(notice.transfers)}</p>`;
  const third = notice.recipients.filter((r) => r.thirdCountry);
  if (third.length) {
    yield '<p>Recipients outside the EU/EEA:</p>';
    yield list(third.map((r) => `${r.name}${r.country ? ` (${r.country})` : ''}`));
  }
  yield '</section>';
}
