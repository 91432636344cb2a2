import { KeywardError } from '../../../shared/errors';
import type { Settings } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { requestOriginPermission } from '../../platform/permissions';
import { busy } from '../dom';
import { parseSettingsInput } from './settings-input';

/**
 * The welcome's first step: the keyserver, chosen before a key is made (publishing and the recoverable copy go
 * there). Keyward asks for permission to reach it, checks that a keyserver answers there, and only then saves it.
 */
export function mountWelcomeKeyserver(
  form: HTMLFormElement,
  settings: Settings,
  onSaved: (settings: Settings) => Promise<void>,
): void {
  const input = form.elements.namedItem('keyserverUrl') as HTMLInputElement;
  const fieldError = form.querySelector<HTMLElement>('.field-error')!;
  const errorBox = form.querySelector<HTMLElement>('.error')!;
  const saved = form.querySelector<HTMLElement>('.saved')!;
  let current = settings;
  input.value = settings.keyserverUrl;
  form.querySelector('fieldset')!.disabled = false;
  form.addEventListener('input', () => {
    saved.hidden = true;
    showFieldError('');
  });

  function showFieldError(message: string): void {
    fieldError.textContent = message;
    fieldError.hidden = !message;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    saved.hidden = true;
    const parsed = parseSettingsInput({
      ...Object.fromEntries(Object.entries(current).map(([k, v]) => [k, String(v)])),
      keyserverUrl: input.value,
    } as Parameters<typeof parseSettingsInput>[0]);
    if (!parsed.ok) {
      showFieldError(parsed.errors.keyserverUrl ?? 'Enter the keyserver’s address.');
      input.focus();
      return;
    }
    const url = parsed.settings.keyserverUrl;
    // Asked first, inside the submit event: browsers grant a host permission only during a user gesture.
    const allowed = requestOriginPermission(url);
    void busy(form, errorBox, async () => {
      if (!(await allowed)) {
        throw new KeywardError(
          'forbidden',
          `Keyward needs your permission to reach ${new URL(url).host}. Choose “Use this keyserver” again and ` +
            'allow it.',
        );
      }
      let check;
      try {
        check = await sendMessage('keyserver.check', { url });
      } catch (error) {
        showFieldError(error instanceof Error ? error.message : String(error));
        input.focus();
        return;
      }
      current = await sendMessage('settings.update', { keyserverUrl: url });
      input.value = current.keyserverUrl;
      saved.textContent = check.healthy
        ? `Keyward uses the keyserver at ${new URL(url).host}. Next: set up your key.`
        : `Keyward uses the keyserver at ${new URL(url).host}, which reports a problem (it may not send mail ` +
          'for now). Next: set up your key.';
      saved.hidden = false;
      await onSaved(current);
    });
  });
}
