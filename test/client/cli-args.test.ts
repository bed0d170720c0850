import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_URL, parseCliArgs, parseParamValue, UsageError } from '../../client/cli-args.js';
import { ExitCode, exitCodeOf } from '../../client/cli.js';
import {
  ConnectionError,
  TaskCancelledError,
  TaskFailedError,
  TaskRequestError,
  TaskTimedOutError,
  WaitAbortedError,
  WaitExhaustedError,
} from '../../client/errors.js';
import { describeProgress, formatElapsed, ProgressLine } from '../../client/progress-line.js';

describe('Function: parseParamValue', () => {
  it.each([
    ['3', 3],
    ['-1.5', -1.5],
    ['1e3', 1000],
    ['true', true],
    ['false', false],
    ['null', null],
    ['{"a":[1,2]}', { a: [1, 2] }],
    ['[1,"x"]', [1, 'x']],
    ['"007"', '007'],
    ['007', '007'],
    ['3 s', '3 s'],
    ['hello', 'hello'],
    ['', ''],
    ['https://example.com/?a=1', 'https://example.com/?a=1'],
  ])('reads %j as %j', (raw, expected) => {
    // Act & assess
    expect(parseParamValue(raw)).toEqual(expected);
  });

  it('refuses text that looks like JSON but does not parse', () => {
    // Act & assess
    expect(() => parseParamValue('{"a":')).toThrow(UsageError);
  });
});

describe('Function: parseCliArgs', () => {
  it('takes the URL and token from the environment, defaulting to the local stack', () => {
    // Act
    const fromDefault = parseCliArgs(['ops'], { MCP_URL: '', MCP_TOKEN: '' });
    const fromEnv = parseCliArgs(['ops'], { MCP_URL: 'https://tasks.example.com/mcp', MCP_TOKEN: 'tok' });
    const fromFlags = parseCliArgs(['ops', '--url', 'http://127.0.0.1:9/mcp', '--token', 'flag'], {
      MCP_URL: 'https://x/mcp',
      MCP_TOKEN: 'env',
    });

    // Assess
    expect(fromDefault).toMatchObject({ command: 'ops', common: { url: DEFAULT_URL, json: false, longPoll: true, native: false } });
    expect(fromDefault.command === 'ops' && fromDefault.common.token).toBeUndefined();
    expect(fromEnv).toMatchObject({ common: { url: 'https://tasks.example.com/mcp', token: 'tok' } });
    expect(fromFlags).toMatchObject({ common: { url: 'http://127.0.0.1:9/mcp', token: 'flag' } });
  });

  it('merges --params-json with --param entries, the latter winning', () => {
    // Act
    const command = parseCliArgs([
      'start',
      'delay',
      '--params-json',
      '{"seconds":1,"echo":"a"}',
      '--param',
      'echo=b',
      '--wait',
      '--max-wait',
      '30',
      '--idempotency-key',
      'k',
    ]);

    // Assess
    expect(command).toEqual(
      expect.objectContaining({
        command: 'start',
        operation: 'delay',
        parameters: { seconds: 1, echo: 'b' },
        wait: true,
        maxWaitSeconds: 30,
        idempotencyKey: 'k',
      }),
    );
  });

  it.each([
    [['start'], 'start needs an operation name'],
    [['start', 'delay', '--param', 'seconds'], '--param needs key=value'],
    [['start', 'delay', '--param', 'a=1', '--param', 'a=2'], '--param a is given twice'],
    [['start', 'delay', '--params-json', '[1]'], '--params-json must be a JSON object'],
    [['start', 'delay', '--params-json', '{'], '--params-json is not valid JSON'],
    [['list', '--wait'], '--wait does not apply to list'],
    [['list', '--status', 'done'], '--status must be one of'],
    [['wait'], 'wait needs a task reference'],
    [['wait', 'a', 'b'], 'unexpected argument "b"'],
    [['wait', 'a', '--max-polls', '0'], '--max-polls must be a whole number ≥ 1'],
    [['ops', '--url', 'localhost:3000'], 'must be http:// or https://'],
    [['ops', '--url', 'not a url'], 'is not a URL'],
    [['ops', '--bogus'], "Unknown option '--bogus'"],
    [['explode', '--url', 'nope'], 'unknown command "explode"; expected ops, start, status, wait, cancel or list'],
  ])('refuses %j: %s', (argv, message) => {
    // Act & assess
    expect(() => parseCliArgs(argv, {})).toThrow(UsageError);
    expect(() => parseCliArgs(argv, {})).toThrow(message);
  });

  it('answers help with no command, help or --help', () => {
    // Act & assess
    for (const argv of [[], ['help'], ['--help'], ['start', '-h']]) expect(parseCliArgs(argv, {})).toEqual({ command: 'help' });
  });
});

describe('Function: exitCodeOf', () => {
  it('gives each outcome its own code', () => {
    // Arrange
    const failure = { code: 'operation_error', message: 'x', retryable: false };

    // Act & assess
    expect(exitCodeOf(new TaskFailedError('r', failure))).toBe(ExitCode.Failed);
    expect(exitCodeOf(new TaskTimedOutError('r', { ...failure, code: 'timeout' }))).toBe(ExitCode.TimedOut);
    expect(exitCodeOf(new TaskCancelledError('r'))).toBe(ExitCode.Cancelled);
    expect(exitCodeOf(new WaitExhaustedError('r', 20, 'processing'))).toBe(ExitCode.StillRunning);
    expect(exitCodeOf(new WaitAbortedError('r', undefined))).toBe(ExitCode.Interrupted);
    expect(exitCodeOf(new UsageError('x'))).toBe(ExitCode.Usage);
    expect(exitCodeOf(new TaskRequestError({ ...failure, code: 'validation_error' }))).toBe(ExitCode.Usage);
    expect(exitCodeOf(new TaskRequestError({ ...failure, code: 'unknown_operation' }))).toBe(ExitCode.Usage);
    expect(exitCodeOf(new TaskRequestError({ ...failure, code: 'not_found' }))).toBe(ExitCode.Usage);
    expect(exitCodeOf(new TaskRequestError({ ...failure, code: 'internal_error' }))).toBe(ExitCode.ServerError);
    expect(exitCodeOf(new ConnectionError('unreachable', 'x'))).toBe(ExitCode.Unreachable);
    expect(exitCodeOf(new ConnectionError('unauthorized', 'x'))).toBe(ExitCode.Unauthorized);
    expect(exitCodeOf(new ConnectionError('protocol_error', 'x'))).toBe(ExitCode.ServerError);
    expect(exitCodeOf(new Error('bug'))).toBe(ExitCode.ServerError);
    expect(new Set(Object.values(ExitCode)).size).toBe(Object.keys(ExitCode).length);
  });
});

describe('Class: ProgressLine', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const report = (elapsedMs: number) => ({
    ref: 'r1',
    via: 'handle' as const,
    status: 'processing' as const,
    progress: { percent: 40, message: 'waited 4 of 10 s' },
    polls: 2,
    elapsedMs,
    nextPollInMs: 8000,
    snapshot: undefined as never,
  });

  it('describes status, percent, message and elapsed time', () => {
    // Act & assess
    expect(describeProgress(report(4200), 4200)).toBe('processing 40% waited 4 of 10 s · 4.2s');
    expect(describeProgress({ status: 'working', progress: null }, 65_000)).toBe('working · 1m05s');
    expect(formatElapsed(3_723_000)).toBe('1h02m');
  });

  it('writes one plain line per report off a terminal', () => {
    // Arrange
    const written: string[] = [];
    const line = new ProgressLine({ write: (text: string) => written.push(text), isTTY: false });

    // Act
    line.update(report(4200));
    vi.advanceTimersByTime(5000);
    line.stop();

    // Assess
    expect(written).toEqual(['r1: processing 40% waited 4 of 10 s · 4.2s (next check in 8.0s)\n']);
  });

  it('redraws one line in place on a terminal, ticking the elapsed time, and clears it at the end', () => {
    // Arrange
    const written: string[] = [];
    const line = new ProgressLine({ write: (text: string) => written.push(text), isTTY: true, columns: 120 });

    // Act
    line.update(report(4200));
    vi.advanceTimersByTime(1000);
    line.stop();
    const afterStop = written.length;
    vi.advanceTimersByTime(1000);

    // Assess
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape that clears a terminal line is what is tested
    expect(written[0]).toMatch(/^\r\x1b\[2K\S r1 processing 40% waited 4 of 10 s · 4\.2s$/);
    expect(written.at(-2)).toMatch(/· 5\.2s$/);
    expect(written.at(-1)).toBe('\r\x1b[2K');
    expect(written).toHaveLength(afterStop);
  });
});
