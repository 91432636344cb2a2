import type { Clock } from '../../shared/clock';
import type { DirectoryDeps } from './directory-deps';
import { createLookup, type Lookup } from './lookup';
import { createPublishing, type Publishing } from './publish';
import { createUnpublishing, type Unpublishing } from './unpublish';

/** The key directory's use cases, shared by every protocol adapter (VKS, HKP, WKD, REST, pages). */
export interface Directory {
  publishing: Publishing;
  lookup: Lookup;
  unpublishing: Unpublishing;
  clock: Clock;
}

export function createDirectory(deps: DirectoryDeps): Directory {
  return {
    publishing: createPublishing(deps),
    lookup: createLookup(deps),
    unpublishing: createUnpublishing(deps),
    clock: deps.clock,
  };
}
