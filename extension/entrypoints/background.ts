import { defineBackground } from 'wxt/utils/define-background';
import { createDispatcher } from '../messaging/dispatcher';
import type { StatusResponse } from '../messaging/protocol';
import { extensionIdentity, extensionVersion, onRuntimeMessage } from '../platform/runtime';

// The vault (its own issue) will own stored keys and the lock. Until it lands Keyward stores no key, so there is
// nothing to count and nothing unlocked.
const noVaultYet: Pick<StatusResponse, 'keys' | 'locked'> = { keys: 0, locked: true };

// Composition root of the background: builds every part and wires it to the browser. Listeners are added
// synchronously at start-up so a message can wake the service worker.
export default defineBackground(() => {
  onRuntimeMessage(
    createDispatcher({
      identity: extensionIdentity(),
      handlers: {
        'status.get': () => Promise.resolve({ version: extensionVersion(), ...noVaultYet }),
      },
      onUnexpectedError: (type, error) => console.error(`Keyward: handling "${type}" failed`, error),
    }),
  );
});
