/**
 * Runs async work one piece at a time, in call order. For read-modify-write over storage that has no
 * transactions (browser extension storage): two overlapping updates would otherwise each write back what they
 * read, and the later write would undo the earlier one. A failed piece does not stop the ones after it.
 */
export type SerialQueue = <T>(work: () => Promise<T>) => Promise<T>;

export function serialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}
