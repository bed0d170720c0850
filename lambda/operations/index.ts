import { delay } from './delay.js';
import { httpRequest } from './http-request.js';
import type { Operation } from './operation.js';

/** Every operation a task can run. Adding one: write its file, then add it here. */
export const operations: readonly Operation[] = [httpRequest, delay];
