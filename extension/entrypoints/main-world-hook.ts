import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { installMainWorldHook } from '../intercept/main-world-hook';

// MAIN-world content script on opted-in sites, before any page script: see extension/intercept/main-world-hook.ts.
export default defineUnlistedScript(() => installMainWorldHook(window));
