import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../client/cli.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { closedPort } from '../support/ports.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const QUIET = { LOG_LEVEL: 'SILENT' };
const SLOW = 60_000;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a user would (`npx tsx bin/mcp-tasks.ts …`), in a child process. */
function mcpTasks(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'bin/mcp-tasks.ts', ...args], {
      cwd: REPO,
      env: { ...process.env, MCP_URL: '', MCP_TOKEN: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A failure is one line on stderr, never a stack trace. */
function expectOneLine(run: CliRun): void {
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^mcp-tasks: /);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

// Each test spawns its own processes against one stack; they need not wait for each other.
describe.concurrent('CLI: mcp-tasks against the local stack', () => {
  let stack: LocalStack;
  let url: string;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, env: QUIET, sweepIntervalMs: 200 });
    url = stack.url!;
  });

  afterAll(async () => {
    await stack?.stop(0);
  });

  it('lists the operations, as text and as JSON', { timeout: SLOW }, async () => {
    // Act
    const text = await mcpTasks(['ops', '--url', url]);
    const json = await mcpTasks(['ops', '--json'], { MCP_URL: url });

    // Assess
    expect(text.code).toBe(ExitCode.Ok);
    expect(text.stdout).toMatch(/^delay\n {2}Waits/m);
    expect(text.stdout).toMatch(/parameters: seconds\*: number, echo, fail: string/);
    expect(json.code).toBe(ExitCode.Ok);
    const { operations } = JSON.parse(json.stdout) as { operations: Array<{ name: string; input_schema: unknown }> };
    expect(operations.map((op) => op.name).sort()).toEqual(['delay', 'http_request']);
  });

  it('starts and waits for a completing task: exit 0 and the result as JSON', { timeout: SLOW }, async () => {
    // Act
    const run = await mcpTasks(['start', 'delay', '--param', 'seconds=1', '--param', 'echo=hi', '--wait', '--json', '--url', url]);

    // Assess
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      task_ref: expect.any(String),
      status: 'completed',
      result: { echo: 'hi' },
      polls: expect.any(Number),
    });
  });

  it('shows plain progress lines on stderr off a terminal and prints the result on stdout', { timeout: SLOW }, async () => {
    // Act
    const run = await mcpTasks([
      'start',
      'delay',
      '--params-json',
      '{"seconds":2,"echo":{"n":1}}',
      '--wait',
      '--no-long-poll',
      '--url',
      url,
    ]);

    // Assess
    expect(run.code).toBe(ExitCode.Ok);
    expect(JSON.parse(run.stdout)).toEqual({ echo: { n: 1 } });
    expect(run.stderr).toMatch(/^\S+: (pending|processing)\b.* · \d+\.\ds \(next check in \d+\.\ds\)$/m);
    expect(run.stderr).toMatch(/: completed in \d+\.\ds/);
  });

  it('exits 1 with the server’s error for a failing task, which list --status failed then shows', { timeout: SLOW }, async () => {
    // Act
    const run = await mcpTasks(['start', 'delay', '--params-json', '{"seconds":0,"fail":"boom"}', '--wait', '--json', '--url', url]);
    const listed = await mcpTasks(['list', '--status', 'failed', '--json', '--url', url]);

    // Assess
    expect(run.code).toBe(ExitCode.Failed);
    const outcome = JSON.parse(run.stdout) as { task_ref: string };
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'operation_error', message: 'boom' } });
    expectOneLine(run);
    expect(listed.code).toBe(ExitCode.Ok);
    const { tasks } = JSON.parse(listed.stdout) as { tasks: Array<{ task_ref: string; status: string }> };
    expect(tasks.map((task) => task.task_ref)).toContain(outcome.task_ref);
    expect(tasks.every((task) => task.status === 'failed')).toBe(true);
  });

  it('exits 5 when --max-polls runs out and 3 once the task is cancelled, after start and status', { timeout: SLOW }, async () => {
    // Arrange
    const started = await mcpTasks(['start', 'delay', '--param', 'seconds=60', '--url', url]);
    const ref = started.stdout.trim();

    // Act
    const status = await mcpTasks(['status', ref, '--json', '--url', url]);
    const exhausted = await mcpTasks(['wait', ref, '--max-polls', '1', '--no-long-poll', '--url', url]);
    const cancelled = await mcpTasks(['cancel', ref, '--json', '--url', url]);
    const waited = await mcpTasks(['wait', ref, '--json', '--url', url]);

    // Assess
    expect(started.code).toBe(ExitCode.Ok);
    expect(started.stderr).toContain(`mcp-tasks wait ${ref}`);
    expect(JSON.parse(status.stdout)).toMatchObject({
      task_ref: ref,
      status: expect.stringMatching(/^(pending|processing)$/),
      operation_type: 'delay',
    });
    expect(exhausted.code).toBe(ExitCode.StillRunning);
    expect(exhausted.stderr.trim().split('\n').at(-1)).toMatch(
      new RegExp(`^mcp-tasks: task ${ref} is still (pending|processing) after 1 poll; resume with: mcp-tasks wait ${ref}$`),
    );
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ task_ref: ref, status: 'cancelled' });
    expect(waited.code).toBe(ExitCode.Cancelled);
    expect(JSON.parse(waited.stdout)).toMatchObject({ task_ref: ref, status: 'cancelled', error: { code: 'cancelled' } });
  });

  it('exits 4 for a task that runs past its --max-wait', { timeout: SLOW }, async () => {
    // Act
    const run = await mcpTasks(['start', 'delay', '--param', 'seconds=30', '--max-wait', '1', '--wait', '--json', '--url', url]);

    // Assess
    expect(run.code).toBe(ExitCode.TimedOut);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
  });

  it('exits 2 with one clear line for bad input', { timeout: SLOW }, async () => {
    // Act
    const runs = await Promise.all([
      mcpTasks(['start', 'delay', '--params-json', '{"seconds":', '--url', url]),
      mcpTasks(['start', 'no_such_operation', '--url', url]),
      mcpTasks(['status', 'no-such-ref', '--url', url]),
      mcpTasks(['frobnicate']),
    ]);

    // Assess
    for (const run of runs) {
      expect(run.code).toBe(ExitCode.Usage);
      expectOneLine(run);
    }
    const [malformed, unknown, notFound, command] = runs.map((run) => run.stderr);
    expect(malformed).toContain('--params-json is not valid JSON');
    expect(unknown).toContain('expected one of: http_request, delay');
    expect(notFound).toContain('not found');
    expect(command).toContain('unknown command "frobnicate"');
  });

  it('exits 6 with one line when nothing listens at the URL', { timeout: SLOW }, async () => {
    // Act
    const run = await mcpTasks(['ops', '--json', '--url', `http://127.0.0.1:${await closedPort()}/mcp`]);

    // Assess
    expect(run.code).toBe(ExitCode.Unreachable);
    expectOneLine(run);
    expect(run.stderr).toContain('is the server running?');
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'unreachable' } });
  });
});

describe('CLI: mcp-tasks with a token-protected server', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, env: { ...QUIET, MCP_AUTH_TOKENS: 'tok-alice=alice' }, sweepIntervalMs: 200 });
  });

  afterAll(async () => {
    await stack?.stop(0);
  });

  it('exits 7 with one line for a wrong token, and works with --token or MCP_TOKEN', { timeout: SLOW }, async () => {
    // Act
    const [wrong, flag, env] = await Promise.all([
      mcpTasks(['ops', '--url', stack.url!, '--token', 'nope']),
      mcpTasks(['ops', '--url', stack.url!, '--token', 'tok-alice']),
      mcpTasks(['start', 'delay', '--param', 'seconds=0', '--wait', '--json'], { MCP_URL: stack.url!, MCP_TOKEN: 'tok-alice' }),
    ]);

    // Assess
    expect(wrong.code).toBe(ExitCode.Unauthorized);
    expectOneLine(wrong);
    expect(wrong.stderr).toContain('HTTP 401');
    expect(flag.code).toBe(ExitCode.Ok);
    expect(env.code).toBe(ExitCode.Ok);
    expect(JSON.parse(env.stdout)).toMatchObject({ status: 'completed' });
  });
});
