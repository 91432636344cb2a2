/** The files of a FileList or DataTransfer as an array (both are live views that Keyward clears). */
export function filesOf(list: FileList | null | undefined): File[] {
  return list ? Array.from(list) : [];
}

/** A FileList holding `files`: the only way to put files into an input or a synthetic drop/paste event. */
export function dataTransferOf(files: readonly File[]): DataTransfer {
  const transfer = new DataTransfer();
  for (const file of files) transfer.items.add(file);
  return transfer;
}
