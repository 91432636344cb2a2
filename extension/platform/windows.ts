import { browser } from 'wxt/browser';

/** Opens one of Keyward's pages in a small window of its own; resolves to the window's id. */
export async function openPopupWindow(
  path: `/${string}`,
  size = { width: 420, height: 520 },
): Promise<number> {
  const created = await browser.windows.create({
    url: browser.runtime.getURL(path as '/popup.html'),
    type: 'popup',
    ...size,
  });
  if (created?.id === undefined) throw new Error('The browser did not open the window.');
  return created.id;
}

/** Whether a window is still open. */
export async function windowIsOpen(id: number): Promise<boolean> {
  return browser.windows.get(id).then(
    () => true,
    () => false,
  );
}
