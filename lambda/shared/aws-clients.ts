import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

/** The two AWS clients the core needs. */
export interface AwsClients {
  ddb: DynamoDBDocumentClient;
  sqs: SQSClient;
}

/** Where to reach DynamoDB and SQS when they are not AWS itself (the embedded emulators). */
export interface LocalEndpoints {
  dynamodb: string;
  sqs: string;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Builds the clients once per process (Lambda reuses them across warm invocations). With `endpoints`,
 * they talk to the emulators with dummy credentials.
 */
export function createAwsClients(endpoints?: LocalEndpoints): AwsClients {
  const local = endpoints ? { region: process.env.AWS_REGION ?? 'us-east-1', credentials: LOCAL_CREDENTIALS } : {};
  const dynamo = new DynamoDBClient({ ...local, ...(endpoints && { endpoint: endpoints.dynamodb }) });
  const ddb = DynamoDBDocumentClient.from(dynamo, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  // Emulator queue URLs carry a host of their own; the explicit endpoint must win.
  const sqs = new SQSClient({ ...local, ...(endpoints && { endpoint: endpoints.sqs, useQueueUrlAsEndpoint: false }) });
  return { ddb, sqs };
}
