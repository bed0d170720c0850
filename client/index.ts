/** The agent side of mcp-async-tasks: a polling client, an agent-tool adapter and the CLI core. */
export { AsyncTaskClient } from './async-task-client.js';
export type {
  AsyncTaskClientOptions,
  CompletedTask,
  PathChoice,
  RunOptions,
  StartOptions,
  TaskTarget,
  WaitOptions,
  WaitProgress,
} from './async-task-client.js';
export { createAgentTools } from './agent-tools.js';
export type { AgentTool, AgentToolOptions } from './agent-tools.js';
export { DEFAULT_POLL_SCHEDULE, nextPollDelay, pollSchedule, scheduledInterval } from './backoff.js';
export type { NextPollInput, PollSchedule } from './backoff.js';
export {
  AsyncTaskError,
  ClientErrorCode,
  ConnectionError,
  TaskCancelledError,
  TaskFailedError,
  TaskRequestError,
  TaskTimedOutError,
  WaitAbortedError,
  WaitExhaustedError,
} from './errors.js';
export type { TaskErrorInfo } from './errors.js';
export type { CancelOutcome, TaskList, TaskListItem } from './handle-path.js';
export { connectMcpClient } from './mcp-client.js';
export type { McpClientLike, McpConnectOptions } from './mcp-client.js';
export type { OperationInfo, ServerCatalog } from './server-catalog.js';
export { isTerminalStatus } from './task-snapshot.js';
export type { TaskPath, TaskProgress, TaskSnapshot, TaskStatus } from './task-snapshot.js';
export { ExitCode, runCli } from './cli.js';
export type { CliIo } from './cli.js';
