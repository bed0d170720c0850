/**
 * What everything below the handlers logs through: structured lines with attributes, and children
 * that carry keys (the task ref) on every line. Powertools' Logger is one; the port keeps the core
 * free of its concrete type, so a test or another runtime can pass anything that fits.
 */
export interface Log {
  debug(message: string, ...attributes: Record<string, unknown>[]): void;
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
  createChild(options: { persistentKeys: Record<string, unknown> }): Log;
}
