/** The files of a FileList or DataTransfer as an array (both are live views that Keyward clears). */
export function filesOf(list: FileList | null | undefined): File[] {
  return list ? Array.from(list) : [];
}

import { forPage } from './for-page';

/**
 * A FileList holding `files`: the only way to put files into an input or a synthetic drop/paste event. The files
 * are made the page's own first (in Firefox a File from the extension is unreadable to the page).
 */
export function dataTransferOf(files: readonly File[]): DataTransfer {
  const transfer = new DataTransfer();
  for (const file of files) transfer.items.add(forPage(file));
  return transfer;
}
