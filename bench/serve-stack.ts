/**
 * The local stack in a process of its own for the load benchmark, so the agents' own CPU does not
 * queue behind the server's. Prints one JSON line: the endpoint and the emulators' addresses.
 */
import { startLocalStack } from '../local/stack.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The benchmark's single caller starts thousands of tasks: per-caller quotas off, measured apart.
const unlimited = { MAX_ACTIVE_TASKS_PER_CALLER: '0', MAX_STARTS_PER_MINUTE_PER_CALLER: '0' };
const stack = await startLocalStack({ port: 0, env: { ...unlimited, ...process.env, LOG_LEVEL: 'ERROR' } });
const { endpoints, tableName, dlqUrl } = stack.emulators;
console.log(JSON.stringify({ url: stack.url, endpoints, tableName, dlqUrl }));
process.on('SIGTERM', () => void stack.stop(0).then(() => process.exit(0)));
