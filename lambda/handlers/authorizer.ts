import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { API_KEY_TABLE_ENV } from '../auth/api-key.js';
import { createApiKeyAuthorizer } from '../auth/api-key-authorizer.js';
import { ApiKeyStore } from '../auth/api-key-store.js';

const tableName = process.env[API_KEY_TABLE_ENV];
if (!tableName) throw new Error(`${API_KEY_TABLE_ENV} is not set: the stack passes the API key table's name`);

/** The HTTP API Lambda authorizer (simple responses): `Authorization: Bearer <api key>`. */
export const handler = createApiKeyAuthorizer({
  store: new ApiKeyStore({ ddb: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName }),
});
