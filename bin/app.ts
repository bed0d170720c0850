import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../lambda/shared/config.js';
import { readDeployConfig } from '../lib/deploy-config.js';
import { McpAsyncTasksStack, stackNameFor } from '../lib/mcp-async-tasks-stack.js';

const app = new App();
try {
  const deployConfig = readDeployConfig((key) => app.node.tryGetContext(key));
  new McpAsyncTasksStack(app, stackNameFor(deployConfig.settings.stage), {
    deployConfig,
    description: `MCP server with async task handles (stage ${deployConfig.settings.stage})`,
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A configuration mistake is the user's to fix: say which key, without a stack trace.
  console.error(`Configuration error: ${error.message}`);
  process.exit(1);
}
// cdk-nag's AWS Solutions rules run on every synth; an unacknowledged finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
