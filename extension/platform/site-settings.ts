import { browser } from 'wxt/browser';

interface ContentSetting {
  set(details: { primaryPattern: string; setting: 'block' }): Promise<void>;
  clear(details: Record<string, never>): Promise<void>;
}

type ContentSettings = Partial<Record<'clipboard' | 'popups' | 'notifications', ContentSetting>>;

/** `http://127.0.0.1:8080` -> `http://127.0.0.1:8080/*` (content settings, unlike match patterns, take a port). */
function contentSettingPattern(origin: string): string {
  return `${new URL(origin).origin}/*`;
}

/**
 * What the browser must refuse protected sites whatever the user allowed them before: reading the clipboard
 * without a paste (the Async Clipboard API hands over copied images once a site holds that permission), pop-up
 * windows without a click (a pop-up Keyward has not armed would take the user's clicks and files), and
 * notifications (a click on one gives the page a gesture without any event in the page, which Keyward could not
 * take from it). Keyward's own rules, set for exactly these origins; Chromium only (Firefox has no content
 * settings for extensions, and asks before each clipboard read anyway).
 */
export async function protectSiteSettings(origins: readonly string[]): Promise<void> {
  const settings = (browser as unknown as { contentSettings?: ContentSettings }).contentSettings;
  for (const type of ['clipboard', 'popups', 'notifications'] as const) {
    const setting = settings?.[type];
    if (!setting) continue;
    await setting.clear({});
    for (const origin of origins)
      await setting.set({ primaryPattern: contentSettingPattern(origin), setting: 'block' });
  }
}
