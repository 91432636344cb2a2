import type { LegacyService } from '../legacy/legacy-service';
import type { Handler } from '../messaging/dispatcher';
import type { MessageType } from '../messaging/protocol';

type LegacyHandlers = { readonly [K in Extract<MessageType, `legacy.${string}`>]: Handler<K> };

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
