import { Logger } from '@aws-lambda-powertools/logger';

type LogItem = Parameters<Logger['printLog']>[1];
type ChildOptions = Parameters<Logger['createChild']>[0];

/** One log entry as Powertools would print it: message, level and every key, persistent ones included. */
export interface LogEntry {
  level: string;
  message: string;
  [key: string]: unknown;
}

/**
 * A real Powertools logger whose entries, its children's included (the worker logs through a child
 * per task), go to `onEntry` instead of stdout: for tests and the fault suite, which read what the
 * engine logs.
 */
export function entryLogger(onEntry: (entry: LogEntry, level: number) => void, options: ChildOptions = {}): Logger {
  class EntryLogger extends Logger {
    protected override printLog(level: number, log: LogItem): void {
      log.prepareForPrint();
      onEntry(log.getAttributes() as LogEntry, level);
    }

    protected override createLogger(childOptions?: ChildOptions): Logger {
      return new EntryLogger(childOptions);
    }
  }
  return new EntryLogger(options);
}
