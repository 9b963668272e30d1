/**
 * The SOQL the Salesforce connector sends, built in one place. An email is user input, so every literal
 * goes through `soqlString`: SOQL string literals escape backslash and single quote with a backslash.
 */

/** A quoted SOQL string literal. */
export function soqlString(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `'${escaped}'`;
}

/** `SELECT f FROM Obj WHERE Field = 'value'` */
export function selectWhereEquals(object: string, fields: readonly string[], field: string, value: string): string {
  return `SELECT ${fields.join(', ')} FROM ${object} WHERE ${field} = ${soqlString(value)}`;
}

/**
 * `SELECT f FROM Obj WHERE Field IN ('a', 'b')`; the caller keeps the list short (URL length).
 * `notDeleted` adds `AND IsDeleted = false`, for queryAll, which also returns the Recycle Bin.
 */
export function selectWhereIn(object: string, fields: readonly string[], field: string, values: readonly string[], notDeleted = false): string {
  const where = `${field} IN (${values.map(soqlString).join(', ')})`;
  return `SELECT ${fields.join(', ')} FROM ${object} WHERE ${where}${notDeleted ? ' AND IsDeleted = false' : ''}`;
}
