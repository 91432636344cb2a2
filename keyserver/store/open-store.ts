import type { Store } from './ports';
import { openSqliteStore } from './sqlite/sqlite-store';

export interface StoreConfig {
  DATA_DIR: string;
  MONGODB_URI?: string | undefined;
  MONGODB_DB: string;
}

/** MongoDB when MONGODB_URI is set (several keyserver processes), else the embedded SQLite file in DATA_DIR. */
export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.MONGODB_URI) {
    // Loaded only when used: the embedded default never pays for the driver.
    const { openMongoStore } = await import('./mongo/mongo-store');
    return openMongoStore(config.MONGODB_URI, config.MONGODB_DB);
  }
  return openSqliteStore(config.DATA_DIR);
}
