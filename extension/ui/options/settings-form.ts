import { KeywardError } from '../../../shared/errors';
import type { Settings } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { requestOriginPermission } from '../../platform/permissions';
import { busy, el } from '../dom';
import { parseSettingsInput, type SettingsField } from './settings-input';

const FIELDS = ['keyserverUrl', 'autoLockMinutes', 'securityPhrase', 'lookupOrder'] as const;

/**
 * Settings: keyserver (its host permission is asked for first), auto-lock time, security phrase. Each mistake is
 * shown under its field; what the background refuses is shown above the Save button.
 */
export function mountSettingsForm(
  form: HTMLFormElement,
  settings: Settings,
  onSaved: (settings: Settings) => Promise<void>,
): { show(settings: Settings): void } {
  const field = (name: SettingsField) => form.elements.namedItem(name) as HTMLInputElement;
  const fieldErrors = Object.fromEntries(FIELDS.map((name) => [name, fieldError(field(name))])) as Record<
    SettingsField,
    HTMLElement
  >;
  const errorBox = form.querySelector<HTMLElement>('.error')!;
  const saved = form.querySelector<HTMLElement>('.saved')!;
  let current = settings;
  for (const name of FIELDS) field(name).value = String(settings[name]);
  form.querySelector('fieldset')!.disabled = false;
  form.addEventListener('input', () => (saved.hidden = true));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    saved.hidden = true;
    const parsed = parseSettingsInput({
      keyserverUrl: field('keyserverUrl').value,
      autoLockMinutes: field('autoLockMinutes').value,
      securityPhrase: field('securityPhrase').value,
      lookupOrder: field('lookupOrder').value,
    });
    for (const name of FIELDS)
      showFieldError(field(name), fieldErrors[name], parsed.ok ? '' : parsed.errors[name]);
    if (!parsed.ok) {
      field(FIELDS.find((name) => parsed.errors[name])!).focus();
      return;
    }
    const next = parsed.settings;
    // Asked before anything else, still inside the submit event: browsers grant a host permission only during a
    // user gesture. A host already allowed (or listed in the manifest) answers true without asking the user.
    const allowed =
      next.keyserverUrl === current.keyserverUrl
        ? Promise.resolve(true)
        : requestOriginPermission(next.keyserverUrl);
    void busy(form, errorBox, async () => {
      if (!(await allowed)) {
        throw new KeywardError(
          'forbidden',
          `Keyward needs your permission to reach ${new URL(next.keyserverUrl).host}. Nothing was saved; save ` +
            'again and choose Allow.',
        );
      }
      current = await sendMessage('settings.update', { ...next, lookupOrder: [...next.lookupOrder] });
      for (const name of FIELDS) field(name).value = String(current[name]);
      saved.hidden = false;
      await onSaved(current);
    });
  });
  return {
    /** Settings saved elsewhere on the page (the welcome's keyserver): shown here, so a later Save keeps them. */
    show(settings) {
      current = settings;
      for (const name of FIELDS) field(name).value = String(settings[name]);
    },
  };
}

/** An error line under a field, tied to it with aria-describedby so a screen reader reads it with the field. */
function fieldError(input: HTMLInputElement): HTMLElement {
  const line = el('span', { class: 'field-error', id: `${input.name}-error`, hidden: true });
  (input.closest('label') ?? input).after(line);
  const described = input.getAttribute('aria-describedby');
  input.setAttribute('aria-describedby', described ? `${line.id} ${described}` : line.id);
  return line;
}

function showFieldError(input: HTMLInputElement, line: HTMLElement, message: string | undefined): void {
  line.textContent = message ?? '';
  line.hidden = !message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}
