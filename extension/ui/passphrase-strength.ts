import type { ZxcvbnResult } from '@zxcvbn-ts/core';

/** Below this zxcvbn score (0-4) a passphrase is refused: it would fall to an offline guess at Argon2id cost. */
export const MIN_SCORE = 3;

export interface Strength {
  /** 0 (guessable in seconds) to 4 (very strong). */
  readonly score: 0 | 1 | 2 | 3 | 4;
  readonly label: string;
  readonly acceptable: boolean;
  /** zxcvbn's warning and suggestions, in words. */
  readonly advice: string;
}

const LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;

let checker: Promise<(passphrase: string, userInputs: string[]) => ZxcvbnResult> | undefined;

/** Loaded on first use (the dictionaries are large), so pages open fast. */
function loadChecker() {
  checker ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ]);
    const factory = new ZxcvbnFactory({
      translations: en.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...en.dictionary },
    });
    return (passphrase: string, userInputs: string[]) => factory.check(passphrase, userInputs);
  })();
  return checker;
}

/** How strong a passphrase is; the user's own name and address count against it. */
export async function passphraseStrength(
  passphrase: string,
  userInputs: readonly string[] = [],
): Promise<Strength> {
  const check = await loadChecker();
  const inputs = userInputs.flatMap((s) => [s, ...s.split(/[\s@.+_-]+/)]).filter((s) => s.length > 1);
  const result = check(passphrase, inputs);
  const advice = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ');
  return {
    score: result.score,
    label: LABELS[result.score],
    acceptable: result.score >= MIN_SCORE,
    advice,
  };
}
