#!/usr/bin/env node
// Runs bin/mcp-tasks.ts through tsx's loader, resolved from this package, so it works from any directory.
import { register } from 'tsx/esm/api';
register();
await import('./mcp-tasks.ts');
