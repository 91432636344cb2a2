import { isKeywardError } from '../../shared/errors';

/** What a page shows for a failed request: KeywardError messages are written for people, anything else is not. */
export function errorText(error: unknown): string {
  if (isKeywardError(error)) return error.message;
  return 'Something went wrong in Keyward. Reloading the extension may help.';
}
