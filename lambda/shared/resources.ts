/**
 * The table and queue shapes, defined once: the CDK stack builds them in AWS and the local stack
 * creates them on the embedded emulators from the same values.
 */
export const TASK_TABLE = {
  partitionKey: 'taskId',
  ttlAttribute: 'expiresAt',
  /** A caller's tasks, newest first. */
  byOwner: {
    name: 'byOwner',
    partitionKey: 'owner',
    sortKey: 'createdAt',
    projected: ['status', 'operation', 'updatedAt', 'startedAt', 'finishedAt', 'attempt', 'progress', 'error', 'expiresAt', 'deadlineAt'],
  },
  /** Live tasks only (sparse), sorted by when the sweeper must next look at them. */
  active: {
    name: 'active',
    partitionKey: 'activeShard',
    sortKey: 'sweepAt',
    projected: ['status', 'attempt', 'maxAttempts', 'deadlineAt', 'leaseExpiresAt', 'owner'],
  },
  /** A caller's live tasks only (sparse), counted against MAX_ACTIVE_TASKS_PER_CALLER; keys alone. */
  liveByOwner: {
    name: 'liveByOwner',
    partitionKey: 'liveOwner',
    sortKey: 'createdAt',
    projected: [],
  },
  /** Live tasks spread over this many GSI partitions so one hot key never throttles writes. */
  activeShards: 8,
} as const;

/** A secondary index of the task table: string partition key, number sort key. */
export interface TaskIndex {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /** Non-key attributes copied into the index; none means keys only. */
  readonly projected: readonly string[];
}

/** Every secondary index, for the code that builds the table (CDK and the local stack). */
export const TASK_INDEXES: readonly TaskIndex[] = [TASK_TABLE.byOwner, TASK_TABLE.liveByOwner, TASK_TABLE.active];

/** Work queue settings shared by AWS and the local stack. */
export const TASK_QUEUE = {
  /** Deliveries before a message goes to the DLQ. */
  maxReceiveCount: 3,
  dlqRetentionSeconds: 14 * 86_400,
  /** AWS's advice for Lambda event sources: at least six times the function timeout. */
  visibilityTimeoutFactor: 6,
  receiveWaitSeconds: 20,
} as const;

/** The worker's own time limit: the longest task deadline plus room to write the outcome. */
export const WORKER_TIMEOUT_SECONDS = 900;
