import { sendMessage } from '../../messaging/send-message';
import { openOptionsPage } from '../../platform/runtime';
import { busy } from '../dom';
import { errorText } from '../error-text';
import { autoLockText } from '../format';
import { requiredElement } from '../required-element';
import { summarizeStatus } from '../status-summary';
import { mountUnlockForm } from '../unlock-form';

/**
 * The popup's key part: the default key's state (no key: set it up; locked: unlock it here; unlocked: who, when it
 * locks itself, Lock), the security phrase, and the way to the options page.
 */
export function mountKeyStatus(): void {
  const label = requiredElement('status-label', HTMLParagraphElement);
  const detail = requiredElement('status-detail', HTMLParagraphElement);
  const hint = requiredElement('status-hint', HTMLParagraphElement);
  const error = requiredElement('error', HTMLParagraphElement);
  const unlockForm = requiredElement('unlock-form', HTMLFormElement);
  const unlocked = requiredElement('unlocked', HTMLDivElement);
  const lock = requiredElement('lock', HTMLButtonElement);
  const openOptions = requiredElement('open-options', HTMLButtonElement);
  const passphrase = mountUnlockForm(unlockForm, { error, unlocked: () => showStatus() });

  async function showStatus(): Promise<void> {
    try {
      const status = await sendMessage('status.get', {});
      const summary = summarizeStatus(status);
      label.textContent = summary.label;
      label.dataset.state = summary.state;
      detail.textContent = summary.who ?? '';
      hint.textContent = summary.detail;
      openOptions.textContent = summary.state === 'no-key' ? 'Set up your key' : 'Open settings';
      openOptions.classList.toggle('primary', summary.state === 'no-key');
      unlockForm.hidden = summary.state !== 'locked';
      unlocked.hidden = summary.state !== 'unlocked';
      requiredElement('auto-lock', HTMLSpanElement).textContent = autoLockText(
        status.defaultKey?.autoLockAt ?? null,
      );
      if (summary.state === 'locked') passphrase.focus();
      else if (summary.state === 'unlocked') lock.focus();
    } catch (e) {
      label.textContent = 'Status unknown';
      error.textContent = errorText(e);
      error.hidden = false;
    } finally {
      label.removeAttribute('aria-busy');
    }
  }

  lock.addEventListener('click', () => {
    // Locks every key, not only the default one: "Lock" in the toolbar should leave nothing unlocked.
    void busy(lock, error, async () => {
      await sendMessage('vault.lock', {});
      await showStatus();
    });
  });
  openOptions.addEventListener('click', () => {
    openOptionsPage().catch((e: unknown) => {
      error.textContent = errorText(e);
      error.hidden = false;
    });
  });

  void showStatus();
  void sendMessage('settings.get', {})
    .then((s) => {
      requiredElement('security-phrase', HTMLSpanElement).textContent = `“${s.securityPhrase}”`;
      requiredElement('security-phrase-line', HTMLParagraphElement).hidden = false;
    })
    .catch(() => undefined);
}
