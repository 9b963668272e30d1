/**
 * The SOQL the Salesforce sandbox understands: exactly the shapes the connector sends,
 *   SELECT f1, f2, Rel.Field FROM Object WHERE Field = 'literal'
 *   SELECT ... FROM Object WHERE Field IN ('a', 'b')
 * optionally followed by `AND BoolField = true|false` (the connector's `IsDeleted = false` on queryAll),
 * with an optional LIMIT, and Salesforce's string escapes. Anything else is a MALFORMED_QUERY, as a
 * wrong query must fail loudly rather than match more than it should.
 */

export interface SoqlQuery {
  fields: string[];
  object: string;
  where: { field: string; values: string[] };
  /** `AND Field = true|false`. */
  and?: { field: string; value: boolean };
  limit?: number;
}

export class SoqlError extends Error {
  constructor(readonly errorCode: 'MALFORMED_QUERY', message: string) {
    super(message);
  }
}

type Token = { kind: 'ident'; value: string } | { kind: 'string'; value: string } | { kind: 'number'; value: number } | { kind: 'punct'; value: string };

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\', _: '\\_', '%': '\\%' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'ident', value: m[0] });
      i += m[0].length;
    } else if (/[0-9]/.test(ch)) {
      const m = /^[0-9]+/.exec(text.slice(i))!;
      tokens.push({ kind: 'number', value: Number(m[0]) });
      i += m[0].length;
    } else if (ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new SoqlError('MALFORMED_QUERY', 'unterminated string literal');
        const c = text[i]!;
        if (c === '\\') {
          const next = text[i + 1];
          const mapped = next === undefined ? undefined : ESCAPES[next];
          if (mapped === undefined) throw new SoqlError('MALFORMED_QUERY', 'invalid escape sequence in string literal');
          value += mapped;
          i += 2;
        } else if (c === "'") {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      tokens.push({ kind: 'string', value });
    } else if (',()='.includes(ch)) {
      tokens.push({ kind: 'punct', value: ch });
      i++;
    } else {
      throw new SoqlError('MALFORMED_QUERY', `unexpected character at position ${i}`);
    }
  }
  return tokens;
}

export function parseSoql(text: string): SoqlQuery {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (what: string): never => {
    throw new SoqlError('MALFORMED_QUERY', `expected ${what} at token ${pos + 1}`);
  };
  const keyword = (word: string) => {
    const t = tokens[pos];
    if (t?.kind === 'ident' && t.value.toUpperCase() === word) {
      pos++;
      return true;
    }
    return false;
  };
  const ident = (): string => {
    const t = tokens[pos];
    if (t?.kind !== 'ident') return fail('a name');
    pos++;
    return t.value;
  };
  const punct = (p: string) => {
    const t = tokens[pos];
    if (t?.kind === 'punct' && t.value === p) {
      pos++;
      return true;
    }
    return false;
  };
  const string = (): string => {
    const t = tokens[pos];
    if (t?.kind !== 'string') return fail('a string literal');
    pos++;
    return t.value;
  };

  if (!keyword('SELECT')) fail('SELECT');
  const fields = [ident()];
  while (punct(',')) fields.push(ident());
  if (!keyword('FROM')) fail('FROM');
  const object = ident();
  if (object.includes('.')) fail('an object name');
  if (!keyword('WHERE')) fail('WHERE');
  const field = ident();
  let values: string[];
  if (punct('=')) {
    values = [string()];
  } else if (keyword('IN')) {
    if (!punct('(')) fail('(');
    values = [string()];
    while (punct(',')) values.push(string());
    if (!punct(')')) fail(')');
  } else {
    return fail('= or IN');
  }
  let and: SoqlQuery['and'];
  if (keyword('AND')) {
    const andField = ident();
    if (!punct('=')) fail('=');
    if (keyword('TRUE')) and = { field: andField, value: true };
    else if (keyword('FALSE')) and = { field: andField, value: false };
    else fail('true or false');
  }
  let limit: number | undefined;
  if (keyword('LIMIT')) {
    const t = peek();
    if (t?.kind !== 'number') return fail('a number');
    limit = t.value;
    pos++;
  }
  if (pos !== tokens.length) fail('the end of the query');
  return { fields, object, where: { field, values }, ...(and ? { and } : {}), limit };
}
