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
  /** Live tasks spread over this many GSI partitions so one hot key never throttles writes. */
  activeShards: 8,
} as const;

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
