import type { Log } from '../shared/log.js';
import type { CreateTaskOptions, TaskStore } from '@modelcontextprotocol/sdk/experimental/tasks';
import type { Request, RequestId, Result, Task } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, TaskError } from '../tasks/task-error.js';
import type { TaskService } from '../tasks/task-service-types.js';
import { toMcpError } from './mcp-error.js';
import { operationResult } from './operation-tools.js';
import { toMcpTask } from './task-view.js';

/**
 * The SDK's `TaskStore` over our task service, bound to one caller. The SDK answers tasks/get,
 * tasks/list and tasks/cancel through it; stateless requests carry no session id, so the scope is
 * the principal this adapter was built for, and the `sessionId` arguments are ignored.
 */
export class PrincipalTaskStore implements TaskStore {
  constructor(
    private readonly service: TaskService,
    private readonly principal: string,
    private readonly logger?: Log,
  ) {}

  /** Tasks are created by task-augmented tools/call of an operation's own tool; this path submits the same way. */
  async createTask(_options: CreateTaskOptions, _requestId: RequestId, request: Request): Promise<Task> {
    const params = (request.params ?? {}) as { name?: unknown; arguments?: unknown };
    if (request.method !== 'tools/call' || typeof params.name !== 'string') {
      throw toMcpError(new TaskError(ErrorCode.ValidationError, `${request.method} cannot run as a task`));
    }
    const { task } = await this.guard(() =>
      this.service.submit({ owner: this.principal, operation: params.name as string, params: params.arguments ?? {} }),
    );
    return toMcpTask(task, this.service);
  }

  /** An unknown or foreign task is our `not_found` error (with its code), not the SDK's bare "Task not found". */
  async getTask(taskId: string): Promise<Task> {
    return toMcpTask(await this.guard(() => this.service.get(this.principal, taskId)), this.service);
  }

  /** Results are written by the workers, never through the protocol. */
  async storeTaskResult(): Promise<void> {
    throw new Error('task results are written by the workers');
  }

  /** The operation tool's CallToolResult (isError when the task failed or was cancelled). */
  async getTaskResult(taskId: string): Promise<Result> {
    return operationResult(await this.guard(() => this.service.get(this.principal, taskId)), this.service);
  }

  /** Only cancellation can come from a client; every other transition belongs to the workers. */
  async updateTaskStatus(taskId: string, status: Task['status']): Promise<void> {
    if (status !== 'cancelled') throw new Error(`task status ${status} is set by the workers, not by clients`);
    await this.guard(() => this.service.cancel(this.principal, taskId));
  }

  async listTasks(cursor?: string): Promise<{ tasks: Task[]; nextCursor?: string }> {
    const page = await this.guard(() => this.service.list({ owner: this.principal, cursor }));
    return { tasks: page.tasks.map((task) => toMcpTask(task, this.service)), ...(page.nextCursor && { nextCursor: page.nextCursor }) };
  }

  /** Our errors as JSON-RPC errors, so nothing internal reaches the client as a message. */
  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toMcpError(error, this.logger);
    }
  }
}
