import { browser } from 'wxt/browser';

/** The match pattern for an origin: `https://files.example.com/*` (match patterns cannot name a port). */
export function originMatchPattern(origin: string): string {
  const { protocol, hostname } = new URL(origin);
  return `${protocol}//${hostname}/*`;
}

const IDS = ['keyward-main-world-hook', 'keyward-interceptor'];

/**
 * Registers Keyward's upload interception on the opted-in origins (none: unregistered). Both scripts run at
 * document_start in every frame, about:blank and srcdoc frames included (match_origin_as_fallback), and persist
 * across browser restarts. The MAIN-world hook comes first so it is in place before any page script.
 */
export async function registerInterception(origins: readonly string[]): Promise<void> {
  const registered = await browser.scripting.getRegisteredContentScripts({ ids: IDS });
  if (registered.length > 0)
    await browser.scripting.unregisterContentScripts({ ids: registered.map((r) => r.id) });
  if (origins.length === 0) return;
  const matches = [...new Set(origins.map(originMatchPattern))];
  const common = { matches, runAt: 'document_start', allFrames: true, matchOriginAsFallback: true } as const;
  await browser.scripting.registerContentScripts([
    { ...common, id: IDS[0]!, js: ['main-world-hook.js'], world: 'MAIN' },
    { ...common, id: IDS[1]!, js: ['interceptor.js'], world: 'ISOLATED' },
  ]);
}
