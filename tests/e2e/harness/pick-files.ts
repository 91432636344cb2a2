import type { BrowserContext, Page } from 'playwright-core';

/** A file as Playwright hands it to a picker. */
export interface PickedFile {
  readonly name: string;
  readonly mimeType: string;
  readonly buffer: Buffer;
}

/** Which picker opened: the browser's (Keyward's own hidden input) or Keyward's picker window. */
export type OpenedPicker = { kind: 'browser' } | { kind: 'keyward'; window: Page };

/**
 * Does what opens a picker in `page` (a click, a key) and waits for whichever picker Keyward opens: the browser's
 * own file chooser, which Keyward opens on an input only it holds when the user presses a file input or its label,
 * or Keyward's picker window (strict mode, and pages that open their input from script).
 */
export async function pickerOpenedBy(
  context: BrowserContext,
  page: Page,
  open: () => Promise<unknown>,
  timeout = 10_000,
): Promise<{ picker: OpenedPicker; choose(files: PickedFile | PickedFile[]): Promise<void> }> {
  const browserPicker = page.waitForEvent('filechooser', { timeout }).then((chooser) => ({
    picker: { kind: 'browser' } as OpenedPicker,
    choose: (files: PickedFile | PickedFile[]) => chooser.setFiles(files),
  }));
  const keywardPicker = context
    .waitForEvent('page', { predicate: (p) => p.url().includes('/picker.html#'), timeout })
    .then(async (window) => {
      await window.waitForLoadState();
      await window.getByText('asks for').waitFor({ timeout });
      return {
        picker: { kind: 'keyward', window } as OpenedPicker,
        choose: (files: PickedFile | PickedFile[]) => window.setInputFiles('#files', files),
      };
    });
  const [opened] = await Promise.all([Promise.any([browserPicker, keywardPicker]), open()]);
  // The other one stays pending until its timeout: keep it from reporting an unhandled rejection.
  browserPicker.catch(() => undefined);
  keywardPicker.catch(() => undefined);
  return opened;
}

/** Opens a picker with `open` and chooses `files` in it; returns which picker it was. */
export async function pickFiles(
  context: BrowserContext,
  page: Page,
  open: () => Promise<unknown>,
  files: PickedFile | PickedFile[],
): Promise<OpenedPicker['kind']> {
  const opened = await pickerOpenedBy(context, page, open);
  await opened.choose(files);
  return opened.picker.kind;
}
