import type { VaultKey } from '../../model';

/**
 * Keeps the key list true while the page stays open: keys lock themselves when idle, and the popup or the unlock
 * window may lock or unlock them meanwhile. Asks `recheck` when the next auto-lock is due and when the user comes
 * back to the tab; `userIsBusy` tells it whether a redraw would throw away something the user is doing.
 */
export function watchForChanges(keyList: HTMLElement, recheck: () => Promise<void>) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = 0;
  const userIsBusy = () =>
    [...keyList.querySelectorAll('input')].some((i) => i.value !== '') ||
    keyList.querySelector('details[open], [aria-busy]') !== null ||
    document.querySelector('dialog[open]') !== null;
  const check = () => {
    if (Date.now() - last < 1000) return;
    last = Date.now();
    void recheck();
  };
  window.addEventListener('focus', check);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') check();
  });

  return {
    userIsBusy,
    /** Plans the next check for when the first unlocked key is due to lock itself. */
    scheduleFor(keys: readonly VaultKey[]): void {
      clearTimeout(timer);
      const next = Math.min(...keys.flatMap((k) => (k.autoLockAt === null ? [] : [k.autoLockAt])));
      if (Number.isFinite(next)) timer = setTimeout(check, Math.max(0, next - Date.now()) + 1500);
    },
  };
}

/**
 * What a redraw must not miss (which keys, locked or not, the default), and separately the auto-lock times, which
 * move whenever a key is used and are not worth losing the user's typing for.
 */
export function viewSignature(keys: readonly VaultKey[]): { state: string; times: string } {
  return {
    state: keys.map((k) => `${k.fingerprint}:${k.unlocked}:${k.isDefault}:${k.userIds.join(',')}`).join('|'),
    times: keys.map((k) => k.autoLockAt ?? '-').join('|'),
  };
}
