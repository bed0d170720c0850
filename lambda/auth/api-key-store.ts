import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../shared/clock.js';
import { systemClock } from '../shared/clock.js';
import { API_KEY_PREFIX, API_KEY_TABLE, generateApiKey, hashApiKey, keyIdOf, type ApiKeyRecord } from './api-key.js';

/** A key the caller asked for does not exist, or more than one matches its id. */
export class ApiKeyNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiKeyNotFoundError';
  }
}

/** Options for an ApiKeyStore. */
export interface ApiKeyStoreOptions {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  clock?: Clock;
}

/** The API key table: create, look up, revoke and list keys, storing only their hashes. */
export class ApiKeyStore {
  private readonly ddb: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;

  constructor(options: ApiKeyStoreOptions) {
    this.ddb = options.ddb;
    this.tableName = options.tableName;
    this.clock = options.clock ?? systemClock;
  }

  /** Creates a key for `principal`; the returned key is the only copy there will ever be. */
  async create(principal: string, description?: string): Promise<{ key: string; record: ApiKeyRecord }> {
    if (!principal.trim()) throw new TypeError('principal must not be empty');
    const key = generateApiKey();
    const keyHash = hashApiKey(key);
    const record: ApiKeyRecord = {
      keyHash,
      keyId: keyIdOf(keyHash),
      principal,
      createdAt: this.clock(),
      ...(description && { description }),
    };
    await this.ddb.send(
      new PutCommand({
        TableName: this.tableName,
        Item: record,
        ConditionExpression: 'attribute_not_exists(#k)',
        ExpressionAttributeNames: { '#k': API_KEY_TABLE.partitionKey },
      }),
    );
    return { key, record };
  }

  /** The record for a presented key, or undefined when no such key was ever created. */
  async find(key: string): Promise<ApiKeyRecord | undefined> {
    const { Item } = await this.ddb.send(
      new GetCommand({ TableName: this.tableName, Key: { [API_KEY_TABLE.partitionKey]: hashApiKey(key) } }),
    );
    return Item as ApiKeyRecord | undefined;
  }

  /**
   * Revokes the key with this id (or the key itself); revoking twice keeps the first time.
   * @throws ApiKeyNotFoundError when no key, or more than one, matches.
   */
  async revoke(keyIdOrKey: string): Promise<ApiKeyRecord> {
    const keyHash = keyIdOrKey.startsWith(API_KEY_PREFIX) ? hashApiKey(keyIdOrKey) : await this.hashOf(keyIdOrKey.toLowerCase());
    try {
      const { Attributes } = await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [API_KEY_TABLE.partitionKey]: keyHash },
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
          ConditionExpression: 'attribute_exists(#k)',
          ExpressionAttributeNames: { '#k': API_KEY_TABLE.partitionKey },
          ExpressionAttributeValues: { ':now': this.clock() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes as ApiKeyRecord;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ApiKeyNotFoundError('No such API key');
      throw error;
    }
  }

  /** Every key (revoked ones too), oldest first. The table holds a handful of keys: a scan is fine. */
  async list(): Promise<ApiKeyRecord[]> {
    const records: ApiKeyRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.ddb.send(new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: start }));
      records.push(...((page.Items ?? []) as ApiKeyRecord[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return records.sort((a, b) => a.createdAt - b.createdAt);
  }

  private async hashOf(keyId: string): Promise<string> {
    if (!/^[0-9a-f]{8,64}$/.test(keyId)) throw new ApiKeyNotFoundError(`Not a key id: ${keyId} (expected 8-64 hex digits)`);
    const matches = (await this.list()).filter((r) => r.keyHash.startsWith(keyId));
    if (matches.length !== 1) {
      throw new ApiKeyNotFoundError(matches.length ? `Key id ${keyId} is ambiguous; give more digits` : `No API key with id ${keyId}`);
    }
    return matches[0]!.keyHash;
  }
}
