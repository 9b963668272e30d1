import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDataset } from '../../../../functions/connectors/sql/dataset.ts';
import { dataApiDialect, MYSQL, POSTGRES } from '../../../../functions/connectors/sql/dialect.ts';
import { deleteRow, maskRow, planDataset, selectPage, stillReferenced } from '../../../../functions/connectors/sql/plan.ts';

const product = parseDataset(JSON.parse(readFileSync('config/datasets/product.json', 'utf8')));
const table = (name: string, fields: unknown[], extra: Record<string, unknown> = {}) => ({ name, category: 'user', fields, ...extra });

describe('planning the walk of a dataset', () => {
  it('starts at the tables the identity reaches and goes breadth first through the references', () => {
    const plan = planDataset(product);
    expect(plan.tables.map((t) => [t.table.name, t.depth])).toEqual([
      ['accounts', 0],
      ['support_tickets', 0],
      ['meetings', 1],
      ['meeting_participants', 1],
      ['call_records', 1],
    ]);
    const meetings = plan.tables.find((t) => t.table.name === 'meetings')!;
    expect(meetings.selectors).toEqual([{ kind: 'reference', column: 'owner_id', from: { table: 'accounts', column: 'id' } }]);
  });

  it('reports a table no identity and no reference reaches, and never reads it', () => {
    const plan = planDataset(product);
    expect(plan.unreachable).toEqual(['audit_log']);
    expect(plan.tables.map((t) => t.table.name)).not.toContain('audit_log');
  });

  it('does not follow a reference declared only for ordering, yet orders erasure by it', () => {
    const plan = planDataset(product);
    const participants = plan.tables.find((t) => t.table.name === 'meeting_participants')!;
    expect(participants.selectors.map((s) => s.column)).toEqual(['account_id']);
    const order = plan.erasureOrder;
    expect(order.indexOf('meeting_participants')).toBeLessThan(order.indexOf('meetings'));
    expect(order.indexOf('meetings')).toBeLessThan(order.indexOf('accounts'));
    expect(order.indexOf('call_records')).toBeLessThan(order.indexOf('accounts'));
  });

  it('visits each table once when references form a cycle, and says which tables are cyclic', () => {
    const dataset = parseDataset({
      name: 'cycle',
      tables: [
        table('a', [{ name: 'id' }, { name: 'email', identity: { from: 'email' } }, { name: 'b_id', references: 'b.id' }]),
        table('b', [{ name: 'id' }, { name: 'a_id', references: 'a.id' }]),
        table('c', [{ name: 'id' }, { name: 'b_id', references: 'b.id' }]),
      ],
    });
    const plan = planDataset(dataset);
    expect(plan.tables.map((t) => t.table.name)).toEqual(['a', 'b', 'c']);
    expect(plan.tables.find((t) => t.table.name === 'a')!.selectors.map((s) => s.kind)).toEqual(['identity', 'reference']);
    expect(plan.erasureOrder).toEqual(['c', 'a', 'b']);
    expect(plan.cyclic).toEqual(['a', 'b']);
  });

  it('reaches a table through an identifier another connector resolves', () => {
    const dataset = parseDataset({
      name: 'ids',
      tables: [table('events', [{ name: 'id' }, { name: 'user_id', identity: { from: 'connector', connectorId: 'accounts', attribute: 'accountId' } }])],
    });
    expect(planDataset(dataset).tables[0]!.selectors[0]).toMatchObject({ kind: 'identity', identity: { from: 'connector', connectorId: 'accounts', attribute: 'accountId' } });
  });
});

describe('the statements a plan uses', () => {
  const t = parseDataset({ name: 'x', tables: [table('t', [{ name: 'id' }, { name: 'email', identity: { from: 'email' }, mask: { strategy: 'null' } }], { erasure: { action: 'anonymize' } })] }).tables[0]!;
  const meetings = product.tables.find((x) => x.name === 'meetings')!;
  const smuggled = ["x' OR '1'='1", 'alice@example.com`; DROP TABLE `t`; --', 'a"; DROP TABLE "t"; --', 'back\\slash'];

  it('on PostgreSQL carry values as $n parameters, a batch of keys as one array', () => {
    expect(selectPage(POSTGRES, t, 'email', ['a@x', 'b@x'], 500)).toEqual({ text: 'SELECT "id", "email" FROM "public"."t" WHERE "email" = ANY($1) ORDER BY "id" LIMIT 500', values: [['a@x', 'b@x']] });
    expect(selectPage(POSTGRES, meetings, 'owner_id', [1], 2, { id: 10 })).toEqual({
      text: 'SELECT "id", "owner_id", "title", "scheduled_at" FROM "public"."meetings" WHERE "owner_id" = ANY($1) AND ("id") > ($2) ORDER BY "id" LIMIT 2',
      values: [[1], 10],
    });
    expect(deleteRow(POSTGRES, t, { id: 7 })).toEqual({ text: 'DELETE FROM "public"."t" WHERE "id" = $1', values: [7] });
    expect(maskRow(POSTGRES, t, [null], { id: 7 })).toEqual({ text: 'UPDATE "public"."t" SET "email" = $1 WHERE "id" = $2', values: [null, 7] });
    expect(stillReferenced(POSTGRES, meetings, 'owner_id', [1, 2])).toEqual({ text: 'SELECT DISTINCT "owner_id" AS "key" FROM "public"."meetings" WHERE "owner_id" = ANY($1)', values: [[1, 2]] });
  });

  it('on MySQL quote with backticks and carry values as ? parameters, a batch of keys as IN (?, ?, ...)', () => {
    expect(selectPage(MYSQL, t, 'email', ['a@x', 'b@x', 'c@x'], 500)).toEqual({ text: 'SELECT `id`, `email` FROM `t` WHERE `email` IN (?, ?, ?) ORDER BY `id` LIMIT 500', values: ['a@x', 'b@x', 'c@x'] });
    expect(selectPage(MYSQL, meetings, 'owner_id', [1, 2], 2, { id: 10 })).toEqual({
      text: 'SELECT `id`, `owner_id`, `title`, `scheduled_at` FROM `meetings` WHERE `owner_id` IN (?, ?) AND (`id`) > (?) ORDER BY `id` LIMIT 2',
      values: [1, 2, 10],
    });
    expect(deleteRow(MYSQL, t, { id: 7 })).toEqual({ text: 'DELETE FROM `t` WHERE `id` = ?', values: [7] });
    expect(maskRow(MYSQL, t, ['[erased]'], { id: 7 })).toEqual({ text: 'UPDATE `t` SET `email` = ? WHERE `id` = ?', values: ['[erased]', 7] });
    // `key` is a reserved word in MySQL: the alias is quoted.
    expect(stillReferenced(MYSQL, meetings, 'owner_id', [1, 2])).toEqual({ text: 'SELECT DISTINCT `owner_id` AS `key` FROM `meetings` WHERE `owner_id` IN (?, ?)', values: [1, 2] });
  });

  it('on MySQL name the database when the dataset gives the table a schema, and page by a composite key', () => {
    const composite = parseDataset({ name: 'x', tables: [table('m', [{ name: 'a' }, { name: 'b' }, { name: 'email', identity: { from: 'email' } }], { schema: 'crm', primaryKey: ['a', 'b'] })] }).tables[0]!;
    expect(selectPage(MYSQL, composite, 'email', ['e'], 10, { a: 1, b: 2 })).toEqual({
      text: 'SELECT `a`, `b`, `email` FROM `crm`.`m` WHERE `email` IN (?) AND (`a`, `b`) > (?, ?) ORDER BY `a`, `b` LIMIT 10',
      values: ['e', 1, 2],
    });
    expect(deleteRow(MYSQL, composite, { a: 1, b: 2 })).toEqual({ text: 'DELETE FROM `crm`.`m` WHERE `a` = ? AND `b` = ?', values: [1, 2] });
  });

  it('through the Data API use named :pN parameters, one per key', () => {
    expect(selectPage(dataApiDialect('postgres'), t, 'email', ['a@x', 'b@x'], 100)).toEqual({ text: 'SELECT "id", "email" FROM "public"."t" WHERE "email" IN (:p1, :p2) ORDER BY "id" LIMIT 100', values: ['a@x', 'b@x'] });
    expect(deleteRow(dataApiDialect('mysql'), t, { id: 7 })).toEqual({ text: 'DELETE FROM `t` WHERE `id` = :p1', values: [7] });
  });

  it('keep SQL smuggled into identity values in the parameters, on every dialect', () => {
    for (const dialect of [POSTGRES, MYSQL, dataApiDialect('postgres'), dataApiDialect('mysql')]) {
      const { text, values } = selectPage(dialect, t, 'email', smuggled, 500);
      for (const value of smuggled) expect(text).not.toContain(value);
      expect(values.flat()).toEqual(smuggled);
      const masked = maskRow(dialect, t, [smuggled[1]], { id: smuggled[2] });
      expect(masked.text).not.toMatch(/DROP|OR '1'/);
      expect(masked.values).toEqual([smuggled[1], smuggled[2]]);
    }
  });

  it('quote identifiers with the quote character doubled', () => {
    expect(POSTGRES.ident('we"ird')).toBe('"we""ird"');
    expect(MYSQL.ident('we`ird')).toBe('`we``ird`');
  });

  it('refuse a page size that is not a positive integer, since it is written into the statement', () => {
    expect(() => selectPage(MYSQL, t, 'email', ['a'], 1.5)).toThrow(/positive integer/);
    expect(() => selectPage(POSTGRES, t, 'email', ['a'], 0)).toThrow(/positive integer/);
  });
});
