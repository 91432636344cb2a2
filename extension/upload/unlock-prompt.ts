import { KeywardError } from '../../shared/errors';

export interface UnlockPromptDeps {
  readonly open: (origin: string) => Promise<number>;
  readonly isOpen: (windowId: number) => Promise<boolean>;
  readonly isUnlocked: () => Promise<boolean>;
  /** How long an upload waits for the user before giving up. */
  readonly timeoutMs?: number;
  readonly pollMs?: number;
}

/**
 * Opens Keyward's unlock window for an upload that needs the locked key and waits: resolved once unlocked,
 * rejected when the user closes the window or lets it time out. Several uploads waiting at once share one window.
 */
export function createUnlockPrompt({
  open,
  isOpen,
  isUnlocked,
  timeoutMs = 180_000,
  pollMs = 300,
}: UnlockPromptDeps) {
  let waiting: Promise<void> | undefined;
  return (origin: string): Promise<void> => {
    waiting ??= (async () => {
      try {
        const windowId = await open(origin);
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          if (await isUnlocked()) return;
          if (Date.now() > deadline || !(await isOpen(windowId))) {
            throw new KeywardError('forbidden', 'Keyward stayed locked.');
          }
          await new Promise((resolve) => setTimeout(resolve, pollMs));
        }
      } finally {
        waiting = undefined;
      }
    })();
    return waiting;
  };
}
