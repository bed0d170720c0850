import type { Logger } from '@aws-lambda-powertools/logger';
import { entryLogger, type LogEntry } from '../../local/entry-logger.js';

/** One captured entry: its message and every key it carried. */
export type CapturedLog = LogEntry;

/** A real Powertools logger, children included, whose entries land in `lines` instead of stdout. */
export function captureLogger(): { logger: Logger; lines: CapturedLog[] } {
  const lines: CapturedLog[] = [];
  return { logger: entryLogger((entry) => lines.push(entry), { serviceName: 'test', logLevel: 'DEBUG' }), lines };
}
