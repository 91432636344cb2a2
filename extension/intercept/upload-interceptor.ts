import { interceptDrops } from './drop-interception';
import { interceptFileInputs } from './file-input-interception';
import type { InterceptionDeps } from './interception-deps';
import { interceptPastes } from './paste-interception';

/** Installs every upload interceptor on a frame's window; returns a function that removes them all. */
export function installUploadInterceptor(win: Window, deps: InterceptionDeps): () => void {
  const removers = [interceptFileInputs(win, deps), interceptDrops(win, deps), interceptPastes(win, deps)];
  return () => removers.forEach((remove) => remove());
}
