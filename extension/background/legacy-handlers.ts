import type { LegacyService } from '../legacy/legacy-service';
import type { legacyProtocol } from '../messaging/legacy-protocol';
import type { Handler } from '../messaging/dispatcher';

type LegacyHandlers = { readonly [K in keyof typeof legacyProtocol]: Handler<K> };

/** Digital legacy's messages mapped onto the legacy service; the dispatcher has already checked each request. */
export function legacyHandlers(legacy: LegacyService): LegacyHandlers {
  return {
    'legacy.ownerGrants': () => legacy.ownerGrants(),
    'legacy.create': (r) => legacy.create(r),
    'legacy.change': (r) => legacy.change(r),
    'legacy.revoke': (r) => legacy.revoke(r),
    'legacy.refuse': (r) => legacy.refuse(r),
    'legacy.trustedGrants': () => legacy.trustedGrants(),
    'legacy.requestAccess': (r) => legacy.requestAccess(r),
    'legacy.importReleased': (r) => legacy.importReleased(r),
  };
}
