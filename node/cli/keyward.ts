import { discardUnfinishedOutputs } from './file-io';
import { main } from './main';

// The `keyward` command's entry point (bin/keyward.js loads it): runs one command line and exits with its code.

// An interrupted command leaves no partial output file behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    discardUnfinishedOutputs();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

process.exitCode = await main(process.argv.slice(2));
