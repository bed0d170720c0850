import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { API_KEY_TABLE } from '../lambda/auth/api-key.js';

/** Properties of an ApiKeyTable. */
export interface ApiKeyTableProps {
  /** @default RemovalPolicy.RETAIN (which also turns on deletion protection) */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The API keys, stored as SHA-256 hashes with their principal (bin/api-keys.ts manages them):
 * on-demand, encrypted, point-in-time recovery.
 */
export class ApiKeyTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: ApiKeyTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: API_KEY_TABLE.partitionKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
    });
  }

  /** The authorizer: look a presented key's hash up, nothing else. */
  grantVerify(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({ grantee, actions: ['dynamodb:GetItem'], resourceArns: [this.table.tableArn] });
  }
}
