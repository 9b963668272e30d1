/**
 * The follow-up tasks in the one table (./model.ts). dynalite has no transactions, so each write stands
 * alone and is safe to repeat: a task is created by a conditional put, changed by a conditional update on
 * its status (two staff ticking at once: one wins, the other gets StateConflict), and the request's set
 * of open task numbers is changed with ADD/DELETE, which a retry may repeat without harm.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requestItems } from '../requests/request-items.ts';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { StateConflict } from '../requests/state-conflict.ts';
import { keys } from '../requests/model.ts';
import { TODO_PREFIX, todoKeys, todoNumber, type TodoDueMarker, type TodoItem } from './model.ts';

/** What the task logic needs of storage; the tests' in-memory repository has the same. */
export interface TodoStore {
  list(requestId: string): Promise<TodoItem[]>;
  get(requestId: string, n: number): Promise<TodoItem | undefined>;
  /** Puts a new task; false when its number is taken (another add won it). */
  create(item: TodoItem): Promise<boolean>;
  /** Sets (and removes) fields of an open task; StateConflict when it is not open (any more). */
  changeOpen(requestId: string, n: number, set: Partial<TodoItem>, remove?: Array<keyof TodoItem>): Promise<TodoItem>;
  /** Adds the number to the request's open set (idempotent). */
  markOpen(requestId: string, n: number): Promise<void>;
  /** Takes the number out of the request's open set (idempotent); how many stay open. */
  markFinished(requestId: string, n: number): Promise<number>;
  putDue(marker: TodoDueMarker): Promise<void>;
  deleteDue(dueDate: string, requestId: string, n: number): Promise<void>;
}

export class DynamoTodoStore implements TodoStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  list(requestId: string): Promise<TodoItem[]> {
    return requestItems<TodoItem>(this.db, this.table, requestId, TODO_PREFIX);
  }

  async get(requestId: string, n: number): Promise<TodoItem | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: todoKeys.todo(requestId, n), ConsistentRead: true }));
    return out.Item as TodoItem | undefined;
  }

  async create(item: TodoItem): Promise<boolean> {
    try {
      await this.db.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(sk)' }));
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async changeOpen(requestId: string, n: number, set: Partial<TodoItem>, remove: Array<keyof TodoItem> = []): Promise<TodoItem> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':open': 'open' };
    const parts = Object.entries(set)
      .filter(([, v]) => v !== undefined)
      .map(([field, value], i) => {
        names[`#f${i}`] = field;
        values[`:v${i}`] = value;
        return `#f${i} = :v${i}`;
      });
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: todoKeys.todo(requestId, n),
          UpdateExpression: [parts.length ? `SET ${parts.join(', ')}` : '', remove.length ? `REMOVE ${remove.map((f, i) => ((names[`#r${i}`] = f), `#r${i}`)).join(', ')}` : '']
            .filter(Boolean)
            .join(' '),
          ConditionExpression: 'attribute_exists(sk) AND #status = :open',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes as TodoItem;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new StateConflict(`task ${n} of request ${requestId} is not open`);
      throw err;
    }
  }

  async markOpen(requestId: string, n: number): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.request(requestId),
        UpdateExpression: 'ADD todosOpen :n REMOVE todosDoneAt',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':n': new Set([todoNumber(n)]) },
      }),
    );
  }

  async markFinished(requestId: string, n: number): Promise<number> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.request(requestId),
        UpdateExpression: 'DELETE todosOpen :n',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':n': new Set([todoNumber(n)]) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return ((out.Attributes?.todosOpen as Set<string> | undefined)?.size ?? 0);
  }

  async putDue(marker: TodoDueMarker): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: marker }));
  }

  async deleteDue(dueDate: string, requestId: string, n: number): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: todoKeys.due(dueDate, requestId, n) }));
  }
}
