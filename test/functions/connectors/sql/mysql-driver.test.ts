/**
 * The mysql2 driver's own logic, without a server (the engine tests in mysql.test.ts need one): how a
 * transaction is run on one pooled connection, what a failed rollback does to that connection, how
 * values are bound, and how MySQL errors are read.
 */
import { describe, expect, it } from 'vitest';
import { classifyMysqlError, mysqlDriver, type MysqlPool } from '../../../../functions/connectors/sql/mysql-driver.ts';

function fakePool(options: { failOn?: string; rollbackFails?: boolean } = {}) {
  const log: string[] = [];
  const execute = async (text: string, values: unknown[]) => {
    log.push(`execute ${text} ${JSON.stringify(values)}`);
    if (options.failOn && text.includes(options.failOn)) throw Object.assign(new Error('refused'), { errno: 1451, sqlState: '23000' });
    return [[{ id: 1 }], []] as [unknown, unknown];
  };
  const conn = {
    execute,
    getConnection: async () => conn,
    beginTransaction: async () => void log.push('begin'),
    commit: async () => void log.push('commit'),
    rollback: async () => {
      log.push('rollback');
      if (options.rollbackFails) throw new Error('connection lost');
    },
    release: () => void log.push('release'),
    destroy: () => void log.push('destroy'),
    end: async () => void log.push('end'),
  };
  return { pool: { execute, getConnection: async () => (log.push('get connection'), conn), end: conn.end } as MysqlPool, log };
}

describe('the mysql2 driver', () => {
  it('runs a transaction on one pooled connection: begin, statements, commit, release', async () => {
    const { pool, log } = fakePool();
    const rows = await mysqlDriver(pool).transaction((tx) => tx.run({ text: 'DELETE FROM `t` WHERE `id` = ?', values: [7] }));
    expect(rows).toEqual([{ id: 1 }]);
    expect(log).toEqual(['get connection', 'begin', 'execute DELETE FROM `t` WHERE `id` = ? [7]', 'commit', 'release']);
  });

  it('rolls back and returns the connection when a statement fails, and rethrows', async () => {
    const { pool, log } = fakePool({ failOn: 'DELETE' });
    await expect(mysqlDriver(pool).transaction((tx) => tx.run({ text: 'DELETE FROM `t` WHERE `id` = ?', values: [7] }))).rejects.toMatchObject({ errno: 1451 });
    expect(log.slice(-2)).toEqual(['rollback', 'release']);
  });

  it('closes a connection whose rollback failed instead of pooling it again', async () => {
    const { pool, log } = fakePool({ failOn: 'DELETE', rollbackFails: true });
    await expect(mysqlDriver(pool).transaction((tx) => tx.run({ text: 'DELETE FROM `t` WHERE `id` = ?', values: [7] }))).rejects.toMatchObject({ errno: 1451 });
    expect(log.slice(-2)).toEqual(['rollback', 'destroy']);
    expect(log).not.toContain('release');
  });

  it('binds undefined as NULL (mysql2 refuses undefined parameters)', async () => {
    const { pool, log } = fakePool();
    await mysqlDriver(pool).run({ text: 'UPDATE `t` SET `a` = ? WHERE `id` = ?', values: [undefined, 1] });
    expect(log).toEqual(['execute UPDATE `t` SET `a` = ? WHERE `id` = ? [null,1]']);
  });

  it('reads MySQL errors by number and SQLSTATE, and leaves network errors unclassified', () => {
    const err = (errno: number, sqlState: string) => Object.assign(new Error('x'), { errno, sqlState });
    expect(classifyMysqlError(err(1045, '28000'))?.kind).toBe('auth');
    expect(classifyMysqlError(err(1451, '23000'))?.kind).toBe('foreign-key');
    expect(classifyMysqlError(err(1048, '23000'))?.kind).toBe('mismatch');
    expect(classifyMysqlError(err(1146, '42S02'))).toEqual({ kind: 'mismatch', code: 'MySQL error 1146, SQLSTATE 42S02' });
    expect(classifyMysqlError(err(1205, 'HY000'))?.kind).toBe('unavailable');
    expect(classifyMysqlError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', errno: -111 }))).toBeUndefined();
  });
});
