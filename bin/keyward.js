#!/usr/bin/env node
// The `keyward` command. The package ships TypeScript and runs it through tsx, in its own namespace so that the
// loader does not change how anything else in the process is loaded.
import { tsImport } from 'tsx/esm/api';

await tsImport('../node/cli/keyward.ts', import.meta.url);
