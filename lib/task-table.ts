import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TASK_INDEXES, TASK_TABLE } from '../lambda/shared/resources.js';

/** Properties of a TaskTable. */
export interface TaskTableProps {
  /** @default RemovalPolicy.RETAIN (which also turns on deletion protection) */
  readonly removalPolicy?: RemovalPolicy;
  /** @default TableEncryption.AWS_MANAGED */
  readonly encryption?: TableEncryption;
}

/**
 * The tasks table, shaped by TASK_TABLE (the local stack builds the same one): on-demand, TTL,
 * point-in-time recovery, encrypted, with the byOwner index and the sparse liveByOwner and active indexes.
 */
export class TaskTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: TaskTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TASK_TABLE.partitionKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TASK_TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: props.encryption ?? TableEncryption.AWS_MANAGED,
      removalPolicy,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
    });
    for (const index of TASK_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.NUMBER },
        ...(index.projected.length > 0
          ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.projected] }
          : { projectionType: ProjectionType.KEYS_ONLY }),
      });
    }
  }

  /** The api: create tasks, read, cancel, list a caller's own tasks (byOwner) and count them for quotas (liveByOwner). */
  grantSubmit(grantee: IGrantable): Grant {
    this.grantOnIndex(grantee, TASK_TABLE.byOwner.name, 'dynamodb:Query');
    this.grantOnIndex(grantee, TASK_TABLE.liveByOwner.name, 'dynamodb:Query');
    return this.grantOnTable(grantee, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem');
  }

  /** The worker: claim, heartbeat and finish a task it was handed; it never creates or deletes. */
  grantWork(grantee: IGrantable): Grant {
    return this.grantOnTable(grantee, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
  }

  /** The sweeper: find live tasks through the active index, then time out, fail or re-dispatch them. */
  grantSweep(grantee: IGrantable): Grant {
    this.grantOnIndex(grantee, TASK_TABLE.active.name, 'dynamodb:Query');
    return this.grantOnTable(grantee, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
  }

  private grantOnTable(grantee: IGrantable, ...actions: string[]): Grant {
    return Grant.addToPrincipal({ grantee, actions, resourceArns: [this.table.tableArn] });
  }

  private grantOnIndex(grantee: IGrantable, indexName: string, ...actions: string[]): Grant {
    return Grant.addToPrincipal({ grantee, actions, resourceArns: [`${this.table.tableArn}/index/${indexName}`] });
  }
}
