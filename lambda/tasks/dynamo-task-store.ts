import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  paginateQuery,
  paginateScan,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../shared/clock.js';
import { TASK_TABLE } from '../shared/resources.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { isExpired, TaskStatus, type TaskProgress, type TaskRecord } from './task.js';
import { cancelledError, type TaskErrorInfo, timedOutError, workerLostError } from './task-error.js';
import { fromItem, LIVE_ONLY_ATTRIBUTES, toItem, withoutSecrets } from './task-item.js';
import { UnstorableError, type CallerUsage, type DueTask, type TaskPage, type TaskStore } from './task-store.js';

const LIVE = [TaskStatus.Pending, TaskStatus.Processing] as const;
/** Reads one list page may take when a status filter skips most items. */
const MAX_LIST_READS = 10;

/** Removed by every write that ends a task (see task-item.ts). */
const REMOVE_LIVE_ONLY = `REMOVE ${LIVE_ONLY_ATTRIBUTES.join(', ')}`;

/**
 * Task records in DynamoDB: one item per task (task-item.ts), every transition one conditional
 * UpdateItem, single-item operations only (no transactions).
 */
export class DynamoTaskStore implements TaskStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  async create(record: TaskRecord): Promise<{ task: TaskRecord; created: boolean }> {
    for (let tries = 0; tries < 3; tries++) {
      const nowSeconds = Math.floor(this.clock() / 1000);
      try {
        await this.ddb.send(
          new PutCommand({
            TableName: this.tableName,
            Item: toItem(record),
            // An expired record with the same id may still be on disk (TTL lags); it may be replaced.
            ConditionExpression: 'attribute_not_exists(taskId) OR expiresAt <= :nowSeconds',
            ExpressionAttributeValues: { ':nowSeconds': nowSeconds },
          }),
        );
        return { task: withoutSecrets(record), created: true };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const existing = await this.get(record.taskId);
      if (existing) return { task: existing, created: false };
      // Expired or deleted between the two calls: try the put again.
    }
    throw new Error(`task id ${record.taskId} stayed taken by a record expiring under it after 3 tries`);
  }

  /** A strongly consistent read; an expired record reads as absent. */
  async get(taskId: string): Promise<TaskRecord | undefined> {
    const { Item } = await this.ddb.send(new GetCommand({ TableName: this.tableName, Key: { taskId }, ConsistentRead: true }));
    return Item && !isExpired(Item as TaskRecord, this.clock()) ? fromItem(Item) : undefined;
  }

  /** The record if `owner` owns it and it has not expired. */
  async getOwned(owner: string, taskId: string): Promise<TaskRecord | undefined> {
    const record = await this.get(taskId);
    return record?.owner === owner ? record : undefined;
  }

  /** An owner's unexpired tasks, newest first, optionally of one status. */
  async listByOwner(owner: string, options: { status?: TaskStatus; limit: number; cursor?: string }): Promise<TaskPage> {
    let startKey = options.cursor === undefined ? undefined : decodeCursor(options.cursor, owner);
    const filters = ['expiresAt > :nowSeconds', ...(options.status ? ['#status = :status'] : [])];
    const tasks: TaskRecord[] = [];
    // DynamoDB filters after it counts Limit, so a filtered page can come back short: read on, a
    // bounded number of times, until the page is full or the owner's tasks run out.
    for (let reads = 0; reads < MAX_LIST_READS && tasks.length < options.limit; reads++) {
      const out = await this.ddb.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TASK_TABLE.byOwner.name,
          KeyConditionExpression: '#owner = :owner',
          FilterExpression: filters.join(' AND '),
          ExpressionAttributeNames: { '#owner': 'owner', ...(options.status && { '#status': 'status' }) },
          ExpressionAttributeValues: {
            ':owner': owner,
            ':nowSeconds': Math.floor(this.clock() / 1000),
            ...(options.status && { ':status': options.status }),
          },
          ScanIndexForward: false,
          Limit: options.limit - tasks.length,
          ExclusiveStartKey: startKey,
        }),
      );
      tasks.push(...(out.Items ?? []).map((item) => fromItem(item)));
      startKey = out.LastEvaluatedKey;
      if (!startKey) break;
    }
    return { tasks, nextCursor: startKey ? encodeCursor(startKey) : undefined };
  }

  /**
   * Two index queries at once: the sparse liveByOwner index counts live tasks, byOwner the starts
   * since the window opened (oldest first, so the first item says when the window frees a slot).
   * Each reads at most its limit in index keys; a limit of 0 skips its query.
   */
  async usage(owner: string, limits: { live: number; startedInWindow: number; windowStart: number }): Promise<CallerUsage> {
    const none = { Count: 0, Items: [] };
    const [live, started] = await Promise.all([
      limits.live === 0
        ? none
        : this.ddb.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: TASK_TABLE.liveByOwner.name,
              KeyConditionExpression: 'liveOwner = :owner',
              ExpressionAttributeValues: { ':owner': owner },
              Select: 'COUNT',
              Limit: limits.live,
            }),
          ),
      limits.startedInWindow === 0
        ? none
        : this.ddb.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: TASK_TABLE.byOwner.name,
              KeyConditionExpression: '#owner = :owner AND createdAt >= :since',
              ExpressionAttributeNames: { '#owner': 'owner' },
              ExpressionAttributeValues: { ':owner': owner, ':since': limits.windowStart },
              ProjectionExpression: 'createdAt',
              ScanIndexForward: true,
              Limit: limits.startedInWindow,
            }),
          ),
    ]);
    const oldest = started.Items?.[0]?.createdAt as number | undefined;
    return {
      live: live.Count ?? 0,
      startedInWindow: started.Items?.length ?? 0,
      ...(oldest !== undefined && { oldestStartInWindow: oldest }),
    };
  }

  async claim(taskId: string, leaseId: string, leaseMs: number): Promise<TaskRecord | undefined> {
    const now = this.clock();
    const item = await this.transition({
      Key: { taskId },
      UpdateExpression:
        'SET #status = :processing, attempt = attempt + :one, leaseId = :leaseId, leaseExpiresAt = :lease, ' +
        'sweepAt = :lease, updatedAt = :now, startedAt = if_not_exists(startedAt, :now) REMOVE notBefore',
      ConditionExpression:
        '#status = :pending AND deadlineAt > :now AND expiresAt > :nowSeconds AND (attribute_not_exists(notBefore) OR notBefore <= :now)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':processing': TaskStatus.Processing,
        ':pending': TaskStatus.Pending,
        ':one': 1,
        ':leaseId': leaseId,
        ':lease': now + leaseMs,
        ':now': now,
        ':nowSeconds': Math.floor(now / 1000),
      },
      ReturnValues: 'ALL_NEW',
    });
    return item && fromItem(item, { withSecrets: true });
  }

  /** Extends the lease (and records progress); false once the lease is lost, the task cancelled or past its deadline. */
  async heartbeat(taskId: string, leaseId: string, leaseMs: number, progress?: TaskProgress): Promise<boolean> {
    const now = this.clock();
    const updated = await this.transition({
      Key: { taskId },
      UpdateExpression: `SET leaseExpiresAt = :lease, sweepAt = :lease, updatedAt = :now${progress ? ', progress = :progress' : ''}`,
      ConditionExpression: '#status = :processing AND leaseId = :leaseId AND deadlineAt > :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':processing': TaskStatus.Processing,
        ':leaseId': leaseId,
        ':lease': now + leaseMs,
        ':now': now,
        ...(progress && { ':progress': progress }),
      },
    });
    return updated !== undefined;
  }

  async complete(taskId: string, leaseId: string, resultJson: string, ttlSeconds: number): Promise<boolean> {
    return this.terminate(taskId, TaskStatus.Completed, ['resultJson', resultJson], ttlSeconds, {
      condition: '#status = :processing AND leaseId = :leaseId AND deadlineAt > :now',
      values: { ':processing': TaskStatus.Processing, ':leaseId': leaseId, ':now': this.clock() },
    });
  }

  /** Records a terminal failure by the lease holder; false when the lease was lost or the task cancelled. */
  async fail(taskId: string, leaseId: string, error: TaskErrorInfo, ttlSeconds: number): Promise<boolean> {
    return this.terminate(taskId, TaskStatus.Failed, ['error', error], ttlSeconds, {
      condition: '#status = :processing AND leaseId = :leaseId',
      values: { ':processing': TaskStatus.Processing, ':leaseId': leaseId },
    });
  }

  /** Sends a failed attempt back to pending until `notBefore`, keeping its error for pollers. */
  async retry(taskId: string, leaseId: string, error: TaskErrorInfo, notBefore: number, graceMs: number): Promise<boolean> {
    const now = this.clock();
    const updated = await this.transition({
      Key: { taskId },
      UpdateExpression:
        'SET #status = :pending, #error = :error, notBefore = :notBefore, sweepAt = :sweepAt, updatedAt = :now REMOVE leaseId, leaseExpiresAt',
      ConditionExpression: '#status = :processing AND leaseId = :leaseId AND attempt < maxAttempts AND deadlineAt > :notBefore',
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: {
        ':pending': TaskStatus.Pending,
        ':processing': TaskStatus.Processing,
        ':error': error,
        ':notBefore': notBefore,
        ':sweepAt': notBefore + graceMs,
        ':leaseId': leaseId,
        ':now': now,
      },
    });
    return updated !== undefined;
  }

  /**
   * Cancels the owner's live task. A terminal task comes back unchanged (`changed: false`); an
   * unknown, foreign or expired one as undefined.
   */
  async cancel(owner: string, taskId: string, ttlSeconds: number): Promise<{ task: TaskRecord; changed: boolean } | undefined> {
    const now = this.clock();
    const cancelled = await this.transition({
      Key: { taskId },
      UpdateExpression: `SET #status = :cancelled, #error = :error, finishedAt = :now, updatedAt = :now, expiresAt = :expiresAt ${REMOVE_LIVE_ONLY}`,
      ConditionExpression: '#owner = :owner AND #status IN (:pending, :processing) AND expiresAt > :nowSeconds',
      ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner', '#error': 'error' },
      ExpressionAttributeValues: {
        ':cancelled': TaskStatus.Cancelled,
        ':error': cancelledError(),
        ':owner': owner,
        ':pending': LIVE[0],
        ':processing': LIVE[1],
        ':now': now,
        ':nowSeconds': Math.floor(now / 1000),
        ':expiresAt': Math.floor(now / 1000) + ttlSeconds,
      },
      ReturnValues: 'ALL_NEW',
    });
    if (cancelled) return { task: fromItem(cancelled), changed: true };
    const existing = await this.getOwned(owner, taskId);
    return existing && { task: existing, changed: false };
  }

  /** Makes a pending task due for the sweeper now (its dispatch failed). */
  async markForRedispatch(taskId: string): Promise<boolean> {
    const now = this.clock();
    const updated = await this.transition({
      Key: { taskId },
      UpdateExpression: 'SET sweepAt = :now',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': TaskStatus.Pending, ':now': now },
    });
    return updated !== undefined;
  }

  /** Reads every shard of the sparse active index, each oldest first. */
  async *due(now: number): AsyncGenerator<DueTask> {
    for (let shard = 0; shard < TASK_TABLE.activeShards; shard++) yield* this.dueInShard(shard, now);
  }

  private async *dueInShard(shard: number, now: number): AsyncGenerator<DueTask> {
    const pages = paginateQuery(
      { client: this.ddb, pageSize: 100 },
      {
        TableName: this.tableName,
        IndexName: TASK_TABLE.active.name,
        KeyConditionExpression: 'activeShard = :shard AND sweepAt <= :now',
        ExpressionAttributeValues: { ':shard': String(shard), ':now': now },
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) yield item as DueTask;
  }

  /**
   * A consistent scan of the table itself rather than the index: after a crash of the single local
   * process, an emulator's index may have missed the last writes. A full scan, so never on a schedule.
   */
  async *liveTasks(): AsyncGenerator<DueTask> {
    const pages = paginateScan(
      { client: this.ddb },
      {
        TableName: this.tableName,
        ConsistentRead: true,
        FilterExpression: '#status IN (:pending, :processing) AND expiresAt > :nowSeconds',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': LIVE[0], ':processing': LIVE[1], ':nowSeconds': Math.floor(this.clock() / 1000) },
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) yield item as DueTask;
  }

  /** Fails a live task whose deadline has passed (the worker died or never started it). */
  async failTimedOut(taskId: string, ttlSeconds: number): Promise<boolean> {
    const now = this.clock();
    return this.terminate(taskId, TaskStatus.Failed, ['error', timedOutError()], ttlSeconds, {
      condition: '#status IN (:pending, :processing) AND deadlineAt <= :now',
      values: { ':pending': LIVE[0], ':processing': LIVE[1], ':now': now },
    });
  }

  /** Returns a task whose worker stopped heartbeating to pending, if the lease seen is still the current one. */
  async releaseLostLease(task: DueTask, graceMs: number): Promise<boolean> {
    const now = this.clock();
    const updated = await this.transition({
      Key: { taskId: task.taskId },
      UpdateExpression: 'SET #status = :pending, sweepAt = :sweepAt, updatedAt = :now REMOVE leaseId, leaseExpiresAt',
      ConditionExpression: '#status = :processing AND leaseExpiresAt = :seen AND attempt < maxAttempts AND deadlineAt > :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':pending': TaskStatus.Pending,
        ':processing': TaskStatus.Processing,
        ':seen': task.leaseExpiresAt,
        ':sweepAt': now + graceMs,
        ':now': now,
      },
    });
    return updated !== undefined;
  }

  /** Fails a task whose worker died on its last allowed attempt. */
  async failWorkerLost(task: DueTask, ttlSeconds: number): Promise<boolean> {
    return this.terminate(task.taskId, TaskStatus.Failed, ['error', workerLostError(task.attempt, task.maxAttempts)], ttlSeconds, {
      condition: '#status = :processing AND leaseExpiresAt = :seen AND attempt >= maxAttempts',
      values: { ':processing': TaskStatus.Processing, ':seen': task.leaseExpiresAt },
    });
  }

  /** Claims the right to re-dispatch a pending task (one sweeper wins) and pushes its next sweep out. */
  async bumpPending(task: DueTask, graceMs: number): Promise<boolean> {
    const updated = await this.transition({
      Key: { taskId: task.taskId },
      UpdateExpression: 'SET sweepAt = :next',
      ConditionExpression: '#status = :pending AND sweepAt = :seen',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': TaskStatus.Pending, ':seen': task.sweepAt, ':next': this.clock() + graceMs },
    });
    return updated !== undefined;
  }

  /** One conditional write into a terminal state: leaves the active index and starts the TTL clock. */
  private async terminate(
    taskId: string,
    status: TaskStatus,
    [field, value]: ['resultJson' | 'error', unknown],
    ttlSeconds: number,
    rule: { condition: string; values: Record<string, unknown> },
  ): Promise<boolean> {
    const now = this.clock();
    const updated = await this.transition({
      Key: { taskId },
      UpdateExpression: `SET #status = :status, #field = :field, finishedAt = :finishedAt, updatedAt = :finishedAt, expiresAt = :expiresAt ${REMOVE_LIVE_ONLY}`,
      ConditionExpression: rule.condition,
      ExpressionAttributeNames: { '#status': 'status', '#field': field },
      ExpressionAttributeValues: {
        ...rule.values,
        ':status': status,
        ':field': value,
        ':finishedAt': now,
        ':expiresAt': Math.floor(now / 1000) + ttlSeconds,
      },
    });
    return updated !== undefined;
  }

  /**
   * Runs one conditional update; undefined when its condition (the state machine's rule) refused it.
   * @throws UnstorableError when DynamoDB refuses the write itself (ValidationException: e.g. the item
   *   would pass 400 KB), which no retry can change.
   */
  private async transition(input: Omit<UpdateCommandInput, 'TableName'>): Promise<Record<string, unknown> | undefined> {
    try {
      const out = await this.ddb.send(new UpdateCommand({ TableName: this.tableName, ReturnValues: 'ALL_NEW', ...input }));
      return out.Attributes ?? {};
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      if (error instanceof Error && error.name === 'ValidationException') throw new UnstorableError(error.message, { cause: error });
      throw error;
    }
  }
}
