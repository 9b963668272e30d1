import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDataset } from '../../../../functions/connectors/sql/dataset.ts';
import { deleteSql, maskSql, planDataset, quoteIdent, selectSql } from '../../../../functions/connectors/sql/plan.ts';

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
    expect(meetings.selectors).toEqual([
      {
        kind: 'reference',
        column: 'owner_id',
        from: { table: 'accounts', column: 'id' },
        sql: 'SELECT "id", "owner_id", "title", "scheduled_at" FROM "public"."meetings" WHERE "owner_id" = ANY($1) ORDER BY "id" LIMIT $2',
        nextSql: 'SELECT "id", "owner_id", "title", "scheduled_at" FROM "public"."meetings" WHERE "owner_id" = ANY($1) AND ("id") > ($3) ORDER BY "id" LIMIT $2',
      },
    ]);
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
  it('carry values only as parameters, whatever the dataset names', () => {
    const t = parseDataset({ name: 'x', tables: [table('t', [{ name: 'id' }, { name: 'email', identity: { from: 'email' }, mask: { strategy: 'null' } }], { erasure: { action: 'anonymize' } })] }).tables[0]!;
    expect(selectSql(t, 'email')).toBe('SELECT "id", "email" FROM "public"."t" WHERE "email" = ANY($1) ORDER BY "id" LIMIT $2');
    expect(deleteSql(t)).toBe('DELETE FROM "public"."t" WHERE "id" = $1');
    expect(maskSql(t)).toBe('UPDATE "public"."t" SET "email" = $1 WHERE "id" = $2');
  });

  it('quote identifiers with embedded quotes doubled', () => {
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
  });
});
