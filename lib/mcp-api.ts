import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer, HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_KEY_TABLE_ENV } from '../lambda/auth/api-key.js';
import { ENV_VARS } from '../lambda/shared/config.js';
import { ApiKeyTable } from './api-key-table.js';
import { HandlerFunction } from './handler-function.js';

/** How the MCP endpoint authenticates callers. */
export type McpApiAuth =
  /** An OIDC issuer's JWTs (the MCP authorization spec's OAuth 2.1 resource server); principal = `sub`. */
  | { readonly mode: 'jwt'; readonly issuer: string; readonly audience: readonly string[] }
  /** API keys from bin/api-keys.ts, checked by a Lambda authorizer; principal = the key's principal. */
  | { readonly mode: 'apikey' }
  /** Nobody: every caller is the same anonymous principal. For throwaway stages only. */
  | { readonly mode: 'none' };

/** Properties of an McpApi. */
export interface McpApiProps {
  /** The runtime configuration with TASK_TABLE and TASK_QUEUE_URL (TaskEngine.environment). */
  readonly environment: Readonly<Record<string, string>>;
  readonly auth: McpApiAuth;
  /** Steady-state requests per second for the whole stage. @default 50 */
  readonly throttleRate?: number;
  /** @default 100 */
  readonly throttleBurst?: number;
  /** @default 1024 */
  readonly memorySize?: number;
  /** At most 29 s: API Gateway stops waiting for an integration at 30 s. @default Duration.seconds(29) */
  readonly timeout?: Duration;
  /** How long API Gateway reuses an API key authorizer's answer. @default Duration.minutes(1) */
  readonly authorizerCacheTtl?: Duration;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** For the log groups and the API key table. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** Where the access log finds the caller's principal, per auth mode. */
const PRINCIPAL_LOG_VARIABLE: Readonly<Record<McpApiAuth['mode'], string | undefined>> = {
  jwt: '$context.authorizer.claims.sub',
  apikey: '$context.authorizer.principal',
  none: undefined,
};

/** The path MCP clients talk to (Streamable HTTP). */
export const MCP_PATH = '/mcp';

/**
 * The public MCP endpoint: an HTTP API whose `/mcp` route (POST, plus GET and DELETE so the api can
 * answer 405) goes to the api function, behind the chosen authorizer, with stage throttling and
 * JSON access logs.
 */
export class McpApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly handler: HandlerFunction;
  readonly accessLogs: LogGroup;
  /** Present when auth mode is `apikey`. */
  readonly authorizerFunction?: HandlerFunction;
  /** Present when auth mode is `apikey`. */
  readonly apiKeyTable?: ApiKeyTable;
  /** The URL agents connect to: `https://…/mcp`. */
  readonly endpoint: string;

  constructor(scope: Construct, id: string, props: McpApiProps) {
    super(scope, id);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.handler = new HandlerFunction(this, 'Handler', {
      handler: 'api',
      description: 'MCP endpoint (stateless Streamable HTTP): starts, reads, lists and cancels tasks',
      environment: {
        ...props.environment,
        ...(props.auth.mode === 'none' && { [ENV_VARS['api.authDisabled']]: 'true' }),
      },
      memorySize: props.memorySize ?? 1_024,
      timeout: props.timeout ?? Duration.seconds(29),
      logRetention,
      logRemovalPolicy: removalPolicy,
    });

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'MCP server with async task handles',
      createDefaultStage: false,
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: logRetention, removalPolicy });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRate ?? 50, burstLimit: props.throttleBurst ?? 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTimeEpoch',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            route: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            ...(PRINCIPAL_LOG_VARIABLE[props.auth.mode] && { principal: PRINCIPAL_LOG_VARIABLE[props.auth.mode] }),
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });

    let authorizer: IHttpRouteAuthorizer | undefined;
    if (props.auth.mode === 'jwt') {
      authorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.auth.issuer, {
        jwtAudience: [...props.auth.audience],
        identitySource: ['$request.header.Authorization'],
      });
    } else if (props.auth.mode === 'apikey') {
      this.apiKeyTable = new ApiKeyTable(this, 'ApiKeys', { removalPolicy });
      this.authorizerFunction = new HandlerFunction(this, 'Authorizer', {
        handler: 'authorizer',
        description: 'Authorizes MCP requests carrying an API key (Authorization: Bearer <key>)',
        environment: { [API_KEY_TABLE_ENV]: this.apiKeyTable.table.tableName },
        memorySize: 256,
        timeout: Duration.seconds(5),
        logRetention,
        logRemovalPolicy: removalPolicy,
      });
      this.apiKeyTable.grantVerify(this.authorizerFunction.function);
      authorizer = new HttpLambdaAuthorizer('ApiKeyAuthorizer', this.authorizerFunction.function, {
        responseTypes: [HttpLambdaResponseType.SIMPLE],
        identitySource: ['$request.header.Authorization'],
        resultsCacheTtl: props.authorizerCacheTtl ?? Duration.minutes(1),
      });
    }

    if (props.auth.mode === 'none') {
      Validations.of(this.httpApi).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'auth=none was chosen explicitly for a throwaway stage (synth refuses it on prod stages): the /mcp routes are ' +
          'open on purpose and every caller shares the single principal "anonymous".',
      });
    }

    this.httpApi.addRoutes({
      path: MCP_PATH,
      methods: [HttpMethod.POST, HttpMethod.GET, HttpMethod.DELETE],
      integration: new HttpLambdaIntegration('Mcp', this.handler.function),
      authorizer,
    });
    // The $default stage serves at the API's root.
    this.endpoint = `${this.httpApi.apiEndpoint}${MCP_PATH}`;
  }
}
