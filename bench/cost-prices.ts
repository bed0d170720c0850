/**
 * Prices and assumptions of `npm run bench:cost`, one named constant each so any of them is easy to change.
 *
 * PRICES are AWS's public list prices for us-east-1 (the pricing pages of AWS Lambda, Amazon API
 * Gateway, Amazon DynamoDB, Amazon SQS and Amazon CloudWatch), as of the author's knowledge (late
 * 2025), without free tiers, volume tiers or savings plans. Check them against the pricing pages
 * before quoting a figure.
 */
export const PRICES = {
  /** AWS Lambda, Arm (Graviton; every function here is ARM_64, lib/handler-function.ts), per GB-second, first 7.5 billion GB-s a month. */
  lambdaArmPerGbSecond: 0.0000133334,
  /** AWS Lambda, per request. */
  lambdaPerRequest: 0.2 / 1e6,
  /** Amazon API Gateway HTTP API, per request (first 300 million a month; metered in 512 KB steps). */
  httpApiPerRequest: 1.0 / 1e6,
  /** Amazon DynamoDB on-demand, per write request unit (price since November 2024). */
  dynamoPerWru: 0.625 / 1e6,
  /** Amazon DynamoDB on-demand, per read request unit (price since November 2024). */
  dynamoPerRru: 0.125 / 1e6,
  /** Amazon SQS standard queue, per request (each 64 KB chunk of a payload is one request). */
  sqsPerRequest: 0.4 / 1e6,
  /** Amazon CloudWatch Logs, per GB ingested (standard class): EMF metrics and Lambda's own lines. */
  logsPerGbIngested: 0.5,
} as const;

/** Where the functions' memory comes from (lib/deploy-config.ts apiMemoryMb, lib/task-engine.ts, lib/mcp-api.ts). */
export const MEMORY_MB = {
  /** API_MEMORY_MB's default (lib/deploy-config.ts). */
  api: Number(process.env.COST_API_MEMORY_MB ?? 1_024),
  /** lib/task-engine.ts workerMemorySize default. */
  worker: 512,
  /** lib/task-engine.ts sweeper. */
  sweeper: 256,
  /** lib/mcp-api.ts API-key authorizer. */
  authorizer: 256,
} as const;

/** What the benchmark cannot measure on one machine, assumed. */
export const ASSUMPTIONS = {
  /** Share of api invocations that are cold starts (a warm pool under steady traffic). */
  apiColdStartShare: 0.02,
  /** Share of worker invocations that are cold starts. */
  workerColdStartShare: 0.05,
  /** INIT duration of a cold start, billed since August 2025 (Node.js 20+, bundled handler). */
  apiInitMs: 700,
  workerInitMs: 600,
  /** Lambda rounds billed duration up to the next millisecond; the worker's own overhead beyond the store calls (SDK, batch processor, EMF flush). */
  workerOverheadMs: 20,
  /**
   * API-key authorizer (lib/mcp-api.ts, results cached 1 min per token): invocations per task when
   * one agent's calls for a task fit in about a minute. With a JWT authorizer this is 0 (built in, free).
   */
  authorizerCallsPerTask: 1,
  authorizerMs: 60,
  /** One consistent GetItem of the key record per authorizer call. */
  authorizerRruPerCall: 1,
  /** SQS requests per task in AWS: the send, then the event source's receive and delete (batch size 1, lib/task-engine.ts). */
  sqsEventSourceRequestsPerTask: 2,
  /** CloudWatch Logs bytes per invocation: START/END/REPORT lines and EMF documents. */
  logBytesPerInvocation: 1_200,
  /** The sweeper runs once a minute (lib/task-engine.ts), whatever the traffic. */
  sweeperRunsPerHour: 60,
  /** The SQS event source long-polls even when idle: about 5 pollers × 3 empty receives a minute. */
  idleEventSourceReceivesPerHour: 5 * 3 * 60,
  /** Traffic over which the fixed hourly costs (sweeper, idle polling) are spread. */
  tasksPerHour: Number(process.env.COST_TASKS_PER_HOUR ?? 1_000),
} as const;

/** The agent's side: every status call the model makes is a turn that re-reads its context. */
export const AGENT = {
  /** Tokens of context the model re-reads on each turn. */
  contextTokens: Number(process.env.COST_CONTEXT_TOKENS ?? 10_000),
  /** Model input price per token ($3 per million input tokens by default). */
  inputPricePerToken: Number(process.env.COST_INPUT_PRICE_PER_MTOK ?? 3) / 1e6,
  /** Tokens ≈ response bytes / 4. */
  bytesPerToken: 4,
  /**
   * Native MCP tasks: the host polls tasks/get itself, and the model takes only two turns (the
   * task-augmented call, and reading tasks/result). Set COST_NATIVE_POLLS_ARE_TURNS=1 to count
   * every tasks/get as a turn too.
   */
  nativePollsAreTurns: process.env.COST_NATIVE_POLLS_ARE_TURNS === '1',
} as const;
