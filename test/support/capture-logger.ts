import { Logger } from '@aws-lambda-powertools/logger';

type LogItem = Parameters<Logger['printLog']>[1];
type ChildOptions = Parameters<Logger['createChild']>[0];

/** One captured entry: its message and every key it carried (persistent keys included). */
export interface CapturedLog {
  level: string;
  message: string;
  [key: string]: unknown;
}

/** A real Powertools logger, children included, whose entries land in `lines` instead of stdout. */
export function captureLogger(): { logger: Logger; lines: CapturedLog[] } {
  const lines: CapturedLog[] = [];
  class CapturingLogger extends Logger {
    protected override printLog(_level: number, log: LogItem): void {
      log.prepareForPrint();
      lines.push(log.getAttributes() as CapturedLog);
    }

    protected override createLogger(options?: ChildOptions): Logger {
      return new CapturingLogger(options);
    }
  }
  return { logger: new CapturingLogger({ serviceName: 'test', logLevel: 'DEBUG' }), lines };
}
