/** Drops white space and one `0x`, upper-cases: how people paste fingerprints and key ids. */
export function compactHex(input: string): string {
  const compact = input.replace(/\s+/g, '');
  return (compact.startsWith('0x') || compact.startsWith('0X') ? compact.slice(2) : compact).toUpperCase();
}

/** Quotes input for an error message without letting a huge value flood it. */
export function quoteForError(input: string): string {
  return input.length > 80 ? `${JSON.stringify(input.slice(0, 80))}…` : JSON.stringify(input);
}
