/** What a page's file input asks for, copied onto the picker Keyward opens for it. */
export interface PickOptions {
  readonly multiple: boolean;
  readonly accept: string;
  /** `webkitdirectory`: a folder's files. */
  readonly directory: boolean;
}

export function pickOptionsOf(input: HTMLInputElement): PickOptions {
  return {
    multiple: input.multiple,
    accept: input.accept.slice(0, 1000),
    directory: input.webkitdirectory,
  };
}

/** The user closed a picker without choosing, like cancelling the browser's own. */
export class PickCancelled extends Error {}

/**
 * Opens the browser's own file picker on an input that only Keyward's content script holds: created here, never
 * put in the document, listened to only here. What the user chooses reaches this script and no page code (a page
 * cannot see a node it has no reference to, nor its events). Must be called while the gesture's activation is
 * unspent; `showPicker()` spends it.
 */
export function choosePrivately(doc: Document, options: PickOptions): Promise<File[]> {
  const input = doc.createElement('input');
  input.type = 'file';
  input.multiple = options.multiple;
  input.accept = options.accept;
  input.webkitdirectory = options.directory;
  return new Promise((resolve, reject) => {
    input.addEventListener('change', () => {
      const files = [...(input.files ?? [])];
      if (files.length > 0) resolve(files);
      else reject(new PickCancelled('Nothing was chosen.'));
    });
    input.addEventListener('cancel', () => reject(new PickCancelled('The picker was closed.')));
    try {
      input.showPicker();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
