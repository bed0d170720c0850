import { parseArgs } from 'node:util';
import type { TaskStatus } from './task-snapshot.js';

/** The local stack's endpoint (`npm start`). */
export const DEFAULT_URL = 'http://127.0.0.1:3000/mcp';

/** The text `mcp-tasks --help` prints. */
export const USAGE = `Usage: mcp-tasks <command> [options]

Commands
  ops                               list the operations the server runs, with their parameters
  start <operation> [params]        start a task and print its reference
        [--wait]                    ...and wait for it to finish
  status <ref>                      show a task once
  wait <ref>                        wait for a task to finish and print its result
  cancel <ref>                      cancel a task
  list [--status S] [--limit N]     list your tasks, newest first

Parameters (start)
  --param k=v                       one parameter; repeatable. Values that read as JSON numbers,
                                    true, false, null, or JSON objects/arrays/quoted strings are
                                    taken as such (seconds=3 → 3); anything else is a string
  --params-json '{...}'             all parameters as one JSON object (--param entries override)
  --idempotency-key K               retrying with the same key returns the same task
  --max-wait S                      the task's time limit on the server, in seconds

Options
  --url URL                         MCP endpoint (env MCP_URL)        default ${DEFAULT_URL}
  --token T                         bearer token (env MCP_TOKEN)
  --json                            machine-readable output on stdout
  --max-polls N                     give up waiting after N polls (exit 5; resume with wait)   default 20
  --no-long-poll                    poll plainly instead of letting the server hold each poll
  --native                          start and follow the task as a native MCP task (tasks/get, tasks/result)
  -h, --help                        this text

Exit codes
  0 completed (or the command succeeded)   1 task failed          2 usage or bad input
  3 task cancelled                         4 task timed out (ran past its deadline)
  5 still running after --max-polls        6 server unreachable   7 unauthorized (401/403)
  8 server or protocol error               130 interrupted (the task keeps running)`;

/** A mistake on the command line: reported as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A parsed command line. */
export type CliCommand =
  | { command: 'help' }
  | { command: 'ops'; common: CommonOptions }
  | {
      command: 'start';
      common: CommonOptions;
      operation: string;
      parameters: Record<string, unknown>;
      wait: boolean;
      idempotencyKey?: string;
      maxWaitSeconds?: number;
    }
  | { command: 'status' | 'wait' | 'cancel'; common: CommonOptions; ref: string }
  | { command: 'list'; common: CommonOptions; status?: TaskStatus; limit?: number };

/** Options every command shares. */
export interface CommonOptions {
  url: string;
  token?: string;
  json: boolean;
  maxPolls?: number;
  longPoll: boolean;
  native: boolean;
}

const COMMANDS = ['ops', 'start', 'status', 'wait', 'cancel', 'list'];
const STATUSES: readonly TaskStatus[] = ['pending', 'processing', 'completed', 'failed', 'cancelled'];
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * Parses `mcp-tasks` arguments; `env` supplies MCP_URL and MCP_TOKEN.
 * @throws UsageError naming the first problem
 */
export function parseCliArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        json: { type: 'boolean', default: false },
        wait: { type: 'boolean', default: false },
        param: { type: 'string', multiple: true },
        'params-json': { type: 'string' },
        'idempotency-key': { type: 'string' },
        'max-wait': { type: 'string' },
        'max-polls': { type: 'string' },
        'no-long-poll': { type: 'boolean', default: false },
        native: { type: 'boolean', default: false },
        status: { type: 'string' },
        limit: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') return { command: 'help' };

  if (!COMMANDS.includes(command))
    throw new UsageError(`unknown command ${JSON.stringify(command)}; expected ${COMMANDS.slice(0, -1).join(', ')} or ${COMMANDS.at(-1)}`);

  const url = values.url ?? (env.MCP_URL || DEFAULT_URL);
  checkUrl(url);
  const common: CommonOptions = {
    url,
    token: values.token ?? (env.MCP_TOKEN || undefined),
    json: values.json,
    maxPolls: values['max-polls'] === undefined ? undefined : wholeNumber('--max-polls', values['max-polls'], 1),
    longPoll: !values['no-long-poll'],
    native: values.native,
  };
  const only = (allowed: string[]) => {
    const misplaced = [
      ['wait', values.wait],
      ['param', values.param],
      ['params-json', values['params-json']],
      ['idempotency-key', values['idempotency-key']],
      ['max-wait', values['max-wait']],
      ['status', values.status],
      ['limit', values.limit],
    ].find(([name, value]) => value !== undefined && value !== false && !allowed.includes(name as string));
    if (misplaced) throw new UsageError(`--${misplaced[0]} does not apply to ${command}`);
  };
  const positionalCount = (count: number, what: string) => {
    if (rest.length < count) throw new UsageError(`${command} needs ${what}`);
    if (rest.length > count) throw new UsageError(`unexpected argument ${JSON.stringify(rest[count])}`);
  };

  switch (command) {
    case 'ops':
      only([]);
      positionalCount(0, '');
      return { command, common };
    case 'start': {
      only(['wait', 'param', 'params-json', 'idempotency-key', 'max-wait']);
      positionalCount(1, 'an operation name (see: mcp-tasks ops)');
      const parameters = { ...paramsJson(values['params-json']), ...params(values.param ?? []) };
      return {
        command,
        common,
        operation: rest[0]!,
        parameters,
        wait: values.wait,
        ...(values['idempotency-key'] !== undefined && { idempotencyKey: values['idempotency-key'] }),
        ...(values['max-wait'] !== undefined && { maxWaitSeconds: wholeNumber('--max-wait', values['max-wait'], 1) }),
      };
    }
    case 'status':
    case 'wait':
    case 'cancel':
      only([]);
      positionalCount(1, 'a task reference');
      return { command, common, ref: rest[0]! };
    case 'list': {
      only(['status', 'limit']);
      positionalCount(0, '');
      const status = values.status;
      if (status !== undefined && !STATUSES.includes(status as TaskStatus)) {
        throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, not ${JSON.stringify(status)}`);
      }
      return {
        command,
        common,
        ...(status !== undefined && { status: status as TaskStatus }),
        ...(values.limit !== undefined && { limit: wholeNumber('--limit', values.limit, 1) }),
      };
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

/**
 * The value of one `--param k=v`: a JSON number, true, false or null as such; text that starts
 * like a JSON object, array or string must parse as one; anything else is the text itself.
 * @throws UsageError for `k` without `=`, an empty key, or JSON-looking text that does not parse
 */
export function parseParamValue(raw: string): unknown {
  if (JSON_NUMBER.test(raw)) return Number(raw);
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === 'null') return null;
  if (/^[[{"]/.test(raw)) {
    try {
      return JSON.parse(raw);
    } catch (error) {
      throw new UsageError(`${JSON.stringify(raw)} looks like JSON but does not parse (${(error as Error).message})`);
    }
  }
  return raw;
}

function params(entries: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const entry of entries) {
    const at = entry.indexOf('=');
    if (at < 1) throw new UsageError(`--param needs key=value, not ${JSON.stringify(entry)}`);
    const key = entry.slice(0, at);
    if (Object.hasOwn(out, key)) throw new UsageError(`--param ${key} is given twice`);
    try {
      out[key] = parseParamValue(entry.slice(at + 1));
    } catch (error) {
      throw new UsageError(`--param ${key}: ${(error as Error).message}`);
    }
  }
  return out;
}

function paramsJson(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--params-json is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new UsageError('--params-json must be a JSON object, e.g. \'{"seconds":3}\'');
  return value as Record<string, unknown>;
}

function wholeNumber(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`${flag} must be a whole number ≥ ${min}, not ${JSON.stringify(text)}`);
  return value;
}

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url ${JSON.stringify(url)} is not a URL (e.g. ${DEFAULT_URL})`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`--url must be http:// or https://, not ${parsed.protocol}`);
}
