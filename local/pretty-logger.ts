import { Logger } from '@aws-lambda-powertools/logger';

type LogItem = Parameters<Logger['printLog']>[1];
type ChildOptions = Parameters<Logger['createChild']>[0];

const SKIP = new Set(['level', 'message', 'timestamp', 'service', 'sampling_rate', 'xray_trace_id']);
const COLOR: Record<string, string> = { ERROR: '\x1b[31m', CRITICAL: '\x1b[31m', WARN: '\x1b[33m', DEBUG: '\x1b[90m' };

/**
 * The Powertools logger with one readable line per entry (`12:00:01 INFO task completed taskId=…`)
 * for a person at a terminal; the same calls print JSON everywhere else.
 */
export class PrettyLogger extends Logger {
  protected override printLog(logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    const { level, message, timestamp, ...rest } = log.getAttributes() as Record<string, unknown>;
    const time = typeof timestamp === 'string' ? timestamp.slice(11, 19) : '';
    const fields = Object.entries(rest)
      .filter(([key, value]) => !SKIP.has(key) && value !== undefined)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    const color = COLOR[String(level)] ?? '';
    process.stderr.write(`${time} ${color}${String(level).padEnd(5)}\x1b[0m ${String(message)}${fields ? ` ${fields}` : ''}\n`);
    void logLevel;
  }

  protected override createLogger(options?: ChildOptions): Logger {
    return new PrettyLogger(options);
  }
}
