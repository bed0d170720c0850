import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { API_KEY_TABLE_ENV } from '../lambda/auth/api-key.js';
import { ApiKeyNotFoundError, ApiKeyStore } from '../lambda/auth/api-key-store.js';

const USAGE = `Manage the API keys of a deployment with auth=apikey.

Usage:
  npx tsx bin/api-keys.ts create --table <ApiKeyTableName> --principal <name> [--description <text>]
  npx tsx bin/api-keys.ts list   --table <ApiKeyTableName>
  npx tsx bin/api-keys.ts revoke --table <ApiKeyTableName> <keyId | key>

--table defaults to $${API_KEY_TABLE_ENV}. The table name is the stack output ApiKeyTableName.
AWS credentials and region come from the usual AWS SDK sources (AWS_PROFILE, AWS_REGION, ...);
--region and --endpoint override them.
The principal is who the key acts as: tasks are scoped to it.
A new key is printed once and never stored; only its SHA-256 hash is.`;

/** Where the CLI writes and which DynamoDB client it uses (tests pass their own). */
export interface ApiKeysCliDeps {
  /** Results (stdout). */
  out: (line: string) => void;
  /** Errors and usage (stderr). */
  err: (line: string) => void;
  /** @default a DynamoDB client from the default AWS credential chain */
  ddb?: DynamoDBDocumentClient;
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Runs one `api-keys` command; returns the process exit code (0 ok, 1 failed, 2 usage).
 */
export async function runApiKeysCli(argv: readonly string[], deps: ApiKeysCliDeps): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        table: { type: 'string' },
        principal: { type: 'string' },
        description: { type: 'string' },
        region: { type: 'string' },
        endpoint: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    deps.err(`error: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    (values.help ? deps.out : deps.err)(USAGE);
    return values.help ? 0 : 2;
  }
  const tableName = values.table ?? deps.env?.[API_KEY_TABLE_ENV];
  if (!tableName) {
    deps.err(`error: give --table <ApiKeyTableName> (the stack output) or set ${API_KEY_TABLE_ENV}`);
    return 2;
  }
  const ddb =
    deps.ddb ??
    DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...(values.region && { region: values.region }), ...(values.endpoint && { endpoint: values.endpoint }) }),
    );
  const store = new ApiKeyStore({ ddb, tableName });

  try {
    switch (command) {
      case 'create': {
        if (!values.principal?.trim()) {
          deps.err('error: create needs --principal <name>');
          return 2;
        }
        const { key, record } = await store.create(values.principal.trim(), values.description);
        deps.out(`Created key ${record.keyId} for principal ${record.principal}.`);
        deps.out('Store it now: it is shown only this once.');
        deps.out('');
        deps.out(key);
        return 0;
      }
      case 'list': {
        const records = await store.list();
        if (records.length === 0) deps.out('No API keys.');
        for (const r of records) {
          const state = r.revokedAt === undefined ? 'active' : `revoked ${new Date(r.revokedAt).toISOString()}`;
          const description = r.description ? `  ${r.description}` : '';
          deps.out(`${r.keyId}  ${r.principal}  created ${new Date(r.createdAt).toISOString()}  ${state}${description}`);
        }
        return 0;
      }
      case 'revoke': {
        const target = rest[0];
        if (!target) {
          deps.err('error: revoke needs a key id (from list) or the key itself');
          return 2;
        }
        const record = await store.revoke(target);
        deps.out(`Revoked key ${record.keyId} of principal ${record.principal}; callers using it are refused within about 90 s.`);
        return 0;
      }
      default:
        deps.err(`error: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ApiKeyNotFoundError) {
      deps.err(`error: ${error.message}`);
      return 1;
    }
    deps.err(`error: ${(error as Error).name}: ${(error as Error).message}`);
    return 1;
  } finally {
    if (!deps.ddb) ddb.destroy();
  }
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  process.exitCode = await runApiKeysCli(process.argv.slice(2), {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    env: process.env,
  });
}
