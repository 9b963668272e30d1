#!/usr/bin/env node
// The `dsar` command. The CLI is TypeScript run without a build step: tsx compiles it on import.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../infra/cli/main.ts');
await main(process.argv.slice(2));
