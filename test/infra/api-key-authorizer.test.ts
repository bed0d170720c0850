import type { AddressInfo, Server } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import dynalite from 'dynalite';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runApiKeysCli } from '../../bin/api-keys.js';
import { API_KEY_PREFIX, API_KEY_TABLE, hashApiKey } from '../../lambda/auth/api-key.js';
import { bearerToken, createApiKeyAuthorizer } from '../../lambda/auth/api-key-authorizer.js';
import { ApiKeyNotFoundError, ApiKeyStore } from '../../lambda/auth/api-key-store.js';

let server: Server;
let ddb: DynamoDBDocumentClient;
let tableCount = 0;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  ddb = DynamoDBDocumentClient.from(client);
});

afterAll(async () => {
  ddb.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A fresh table per test, shaped like ApiKeyTable. */
async function newTable(): Promise<string> {
  const tableName = `api-keys-${++tableCount}`;
  await ddb.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: API_KEY_TABLE.partitionKey, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: API_KEY_TABLE.partitionKey, AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return tableName;
}

const request = (authorization?: string): APIGatewayRequestAuthorizerEventV2 =>
  ({
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:us-east-1:123456789012:abc/$default/POST/mcp',
    identitySource: authorization ? [authorization] : [],
    headers: authorization === undefined ? {} : { authorization },
  }) as unknown as APIGatewayRequestAuthorizerEventV2;

describe('Class: ApiKeyStore', () => {
  let store: ApiKeyStore;
  let tableName: string;
  beforeEach(async () => {
    tableName = await newTable();
    store = new ApiKeyStore({ ddb, tableName, clock: () => 1_700_000_000_000 });
  });

  it('stores only the SHA-256 of a new key, with the principal and creation time', async () => {
    // Act
    const { key, record } = await store.create('alice', 'laptop');

    // Assess
    expect(key).toMatch(new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9_-]{43}$`));
    const { Items } = await ddb.send(new ScanCommand({ TableName: tableName }));
    expect(Items).toEqual([
      {
        keyHash: hashApiKey(key),
        keyId: hashApiKey(key).slice(0, 16),
        principal: 'alice',
        createdAt: 1_700_000_000_000,
        description: 'laptop',
      },
    ]);
    expect(JSON.stringify(Items)).not.toContain(key);
    expect(record.keyId).toBe(hashApiKey(key).slice(0, 16));
  });

  it('finds a key by the key itself, and nothing for an unknown key', async () => {
    // Prepare
    const { key } = await store.create('alice');

    // Act & assess
    expect(await store.find(key)).toMatchObject({ principal: 'alice' });
    expect(await store.find(`${key}x`)).toBeUndefined();
  });

  it('revokes by key id or by key, keeping the first revocation time', async () => {
    // Prepare
    const { key, record } = await store.create('alice');

    // Act
    const revoked = await store.revoke(record.keyId);
    const again = await new ApiKeyStore({ ddb, tableName, clock: () => 1_800_000_000_000 }).revoke(key);

    // Assess
    expect(revoked.revokedAt).toBe(1_700_000_000_000);
    expect(again.revokedAt).toBe(1_700_000_000_000);
  });

  it('throws ApiKeyNotFoundError for an unknown id or key, creating nothing', async () => {
    await expect(store.revoke('0123456789abcdef')).rejects.toThrow(ApiKeyNotFoundError);
    await expect(store.revoke(`${API_KEY_PREFIX}nope`)).rejects.toThrow(ApiKeyNotFoundError);
    await expect(store.revoke('not-hex')).rejects.toThrow(/Not a key id/);
    expect(await store.list()).toEqual([]);
  });

  it('refuses an empty principal', async () => {
    await expect(store.create('  ')).rejects.toThrow(TypeError);
  });
});

describe('Function: createApiKeyAuthorizer', () => {
  let store: ApiKeyStore;
  let now: number;
  beforeEach(async () => {
    now = 1_700_000_000_000;
    store = new ApiKeyStore({ ddb, tableName: await newTable(), clock: () => now });
  });

  it('authorizes a stored key and passes its principal on as context.principal', async () => {
    // Prepare
    const { key } = await store.create('alice');
    const authorize = createApiKeyAuthorizer({ store, clock: () => now });

    // Act
    const result = await authorize(request(`Bearer ${key}`));

    // Assess
    expect(result).toEqual({ isAuthorized: true, context: { principal: 'alice' } });
  });

  it.each([
    ['no Authorization header', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['an empty bearer', 'Bearer '],
    ['an unknown key', `Bearer ${API_KEY_PREFIX}unknown`],
  ])('refuses %s', async (_case, authorization) => {
    const authorize = createApiKeyAuthorizer({ store, clock: () => now });
    expect(await authorize(request(authorization))).toEqual({ isAuthorized: false, context: {} });
  });

  it('refuses a revoked key once its cached answer expires, and not before', async () => {
    // Prepare
    const { key, record } = await store.create('alice');
    const authorize = createApiKeyAuthorizer({ store, clock: () => now, cacheTtlMs: 30_000 });
    expect((await authorize(request(`Bearer ${key}`))).isAuthorized).toBe(true);

    // Act
    await store.revoke(record.keyId);
    now += 29_999;
    const cached = await authorize(request(`Bearer ${key}`));
    now += 1;
    const fresh = await authorize(request(`Bearer ${key}`));

    // Assess
    expect(cached.isAuthorized).toBe(true);
    expect(fresh).toEqual({ isAuthorized: false, context: {} });
  });

  it('looks a key up once per TTL, and keeps at most cacheSize answers', async () => {
    // Prepare
    const { key } = await store.create('alice');
    const find = vi.spyOn(store, 'find');
    const authorize = createApiKeyAuthorizer({ store, clock: () => now, cacheSize: 2 });

    // Act
    await authorize(request(`Bearer ${key}`));
    await authorize(request(`bearer ${key}`));
    await authorize(request(`Bearer ${API_KEY_PREFIX}a`));
    await authorize(request(`Bearer ${API_KEY_PREFIX}b`));
    await authorize(request(`Bearer ${key}`));

    // Assess: the first key was evicted by the two unknown ones, so it is looked up again.
    expect(find).toHaveBeenCalledTimes(4);
  });

  it('lets a store failure escape, so API Gateway answers 500 rather than a misleading 403', async () => {
    const authorize = createApiKeyAuthorizer({ store: { find: () => Promise.reject(new Error('throttled')) } });
    await expect(authorize(request(`Bearer ${API_KEY_PREFIX}x`))).rejects.toThrow('throttled');
  });
});

describe('Function: bearerToken', () => {
  it.each([
    [{ authorization: 'Bearer abc' }, 'abc'],
    [{ Authorization: 'bearer  abc ' }, 'abc'],
    [{ authorization: 'Bearer a b' }, undefined],
    [{ authorization: 'Token abc' }, undefined],
    [undefined, undefined],
  ])('reads %j as %s', (headers, token) => {
    expect(bearerToken(headers)).toBe(token);
  });
});

describe('Entry point: bin/api-keys.ts', () => {
  let tableName: string;
  let out: string[];
  let err: string[];
  const run = (...argv: string[]) => runApiKeysCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), ddb, env: {} });
  beforeEach(async () => {
    tableName = await newTable();
    out = [];
    err = [];
  });

  it('creates a key, printing it once, and storing only its hash', async () => {
    // Act
    const code = await run('create', '--table', tableName, '--principal', 'alice');

    // Assess
    expect(code).toBe(0);
    const key = out.at(-1)!;
    expect(key.startsWith(API_KEY_PREFIX)).toBe(true);
    const { Item } = await ddb.send(new GetCommand({ TableName: tableName, Key: { keyHash: hashApiKey(key) } }));
    expect(Item).toMatchObject({ principal: 'alice' });
    expect(JSON.stringify(Item)).not.toContain(key);
  });

  it('lists keys with id, principal and state, and revokes by id', async () => {
    // Prepare
    await run('create', '--table', tableName, '--principal', 'alice');
    const keyId = hashApiKey(out.at(-1)!).slice(0, 16);
    out = [];

    // Act
    expect(await run('revoke', '--table', tableName, keyId)).toBe(0);
    expect(await run('list', '--table', tableName)).toBe(0);

    // Assess
    expect(out[0]).toMatch(new RegExp(`^Revoked key ${keyId} of principal alice`));
    expect(out[1]).toMatch(new RegExp(`^${keyId}  alice  created \\S+  revoked \\S+$`));
  });

  it('exits 2 with usage for a missing table, principal or command, and 1 for an unknown key', async () => {
    expect(await run('list')).toBe(2);
    expect(err.at(-1)).toMatch(/--table/);
    expect(await run('create', '--table', tableName)).toBe(2);
    expect(await run('frobnicate', '--table', tableName)).toBe(2);
    expect(await run('revoke', '--table', tableName, 'abcdef0123456789')).toBe(1);
    expect(err.at(-1)).toBe('error: No API key with id abcdef0123456789');
    expect(out).toEqual([]);
  });
});
