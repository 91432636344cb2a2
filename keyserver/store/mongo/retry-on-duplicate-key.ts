import { MongoServerError } from 'mongodb';

/**
 * Two concurrent upserts of the same unique key can both miss the document and both insert; the loser fails with
 * E11000 (the server retries this itself only for some query shapes). Run once more: the retry finds the winner's
 * document and updates it, which is what a serialised run would have done.
 */
export async function retryOnDuplicateKey<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (e) {
    if (e instanceof MongoServerError && e.code === 11000) return operation();
    throw e;
  }
}
