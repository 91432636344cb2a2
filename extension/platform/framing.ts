import { browser } from 'wxt/browser';

interface Rule {
  id: number;
  priority: number;
  action: {
    type: 'modifyHeaders';
    responseHeaders: { header: string; operation: 'append' | 'set'; value: string }[];
  };
  condition: { urlFilter: string; resourceTypes: ('sub_frame' | 'object')[] };
}

interface DeclarativeNetRequest {
  getDynamicRules(): Promise<{ id: number }[]>;
  updateDynamicRules(options: { removeRuleIds: number[]; addRules: Rule[] }): Promise<void>;
}

/**
 * Protected sites are never shown inside a page of another origin. There Keyward cannot spend the page's
 * activation (the browser refuses the `showPicker()` it uses, in a frame cross-origin to the top, before it looks
 * at the gesture), so the site's scripts would hold every click. The browser is told, on each of the site's
 * responses loaded into a frame, `Content-Security-Policy: frame-ancestors 'self'`: an extra policy the browser
 * enforces beside the site's own (which it cannot loosen), so it refuses to show the site in another origin's
 * frame. Chromium only (declarativeNetRequest with the sites' own host permissions).
 */
export async function protectFraming(origins: readonly string[]): Promise<void> {
  const dnr = (browser as unknown as { declarativeNetRequest?: DeclarativeNetRequest }).declarativeNetRequest;
  if (!dnr) return;
  const old = await dnr.getDynamicRules();
  await dnr.updateDynamicRules({
    removeRuleIds: old.map((rule) => rule.id),
    addRules: origins.map((origin, i) => ({
      id: i + 1,
      priority: 1,
      action: {
        type: 'modifyHeaders',
        responseHeaders: [
          { header: 'content-security-policy', operation: 'append', value: "frame-ancestors 'self'" },
        ],
      },
      condition: { urlFilter: `|${new URL(origin).origin}/`, resourceTypes: ['sub_frame', 'object'] },
    })),
  });
}
