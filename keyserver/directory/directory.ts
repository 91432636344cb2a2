import type { Clock } from '../../shared/clock';
import type { DirectoryDeps } from './directory-deps';
import { createLookup, type FoundKey, type Lookup } from './lookup';
import { createLookupCache, notifyingStore } from './lookup-cache';
import { createPublishing, type Publishing } from './publish';
import { createUnpublishing, type Unpublishing } from './unpublish';

/** The key directory's use cases, shared by every protocol adapter (VKS, HKP, WKD, REST, pages). */
export interface Directory {
  publishing: Publishing;
  lookup: Lookup;
  unpublishing: Unpublishing;
  clock: Clock;
}

export function createDirectory(rawDeps: DirectoryDeps): Directory {
  const cache = createLookupCache<FoundKey>();
  // Every write through this directory clears the lookup cache before the write's caller sees it done.
  const deps = { ...rawDeps, store: notifyingStore(rawDeps.store, () => cache.invalidate()) };
  return {
    publishing: createPublishing(deps),
    lookup: createLookup(deps, cache),
    unpublishing: createUnpublishing(deps),
    clock: deps.clock,
  };
}
