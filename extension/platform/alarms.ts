import { browser } from 'wxt/browser';

/** A repeating alarm (at least every 30 s in Chromium); `listener` runs each time, also after a worker restart. */
export function everyMinutes(name: string, periodInMinutes: number, listener: () => void): void {
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === name) listener();
  });
  void browser.alarms.create(name, { periodInMinutes });
}

/** Runs `listener` when the browser starts with this profile (not when the extension is installed or reloaded). */
export function onBrowserStartup(listener: () => void): void {
  browser.runtime.onStartup.addListener(listener);
}

/** Runs `listener` when this extension is installed (`install`) or updated or reloaded (not at each browser start). */
export function onExtensionInstalled(listener: (reason: 'install' | 'update' | 'other') => void): void {
  browser.runtime.onInstalled.addListener(({ reason }) =>
    listener(reason === 'install' ? 'install' : reason === 'update' ? 'update' : 'other'),
  );
}
