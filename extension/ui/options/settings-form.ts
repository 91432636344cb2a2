import type { Settings } from '../../messaging/protocol';
import { sendMessage } from '../../messaging/send-message';
import { hasOriginPermission, requestOriginPermission } from '../../platform/permissions';
import { busy } from '../dom';
import { formErrorText } from './create-key-form';

/** Settings: keyserver (asking for its host permission first), auto-lock time, security phrase. */
export function wireSettingsForm(form: HTMLFormElement, settings: Settings): void {
  const field = (name: keyof Settings) => form.elements.namedItem(name) as HTMLInputElement;
  field('keyserverUrl').value = settings.keyserverUrl;
  field('autoLockMinutes').value = String(settings.autoLockMinutes);
  field('securityPhrase').value = settings.securityPhrase;
  const errorBox = form.querySelector<HTMLElement>('.error')!;
  const saved = form.querySelector<HTMLElement>('.ok')!;
  form.querySelector('fieldset')!.disabled = false;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    saved.hidden = true;
    const keyserverUrl = field('keyserverUrl').value.trim();
    // Asked here, inside the submit handler: browsers only grant permissions during a user gesture.
    const permission = URL.canParse(keyserverUrl)
      ? hasOriginPermission(keyserverUrl).then((has) => has || requestOriginPermission(keyserverUrl))
      : Promise.resolve(true);
    void busy(
      form,
      errorBox,
      async () => {
        if (!(await permission)) {
          throw new Error(
            `Keyward needs your permission to reach ${new URL(keyserverUrl).host}; nothing was saved.`,
          );
        }
        await sendMessage('settings.update', {
          keyserverUrl,
          autoLockMinutes: Number(field('autoLockMinutes').value),
          securityPhrase: field('securityPhrase').value,
        });
        saved.hidden = false;
      },
      formErrorText,
    );
  });
}
