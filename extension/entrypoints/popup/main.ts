import '../../ui/styles.css';
import { sendMessage } from '../../messaging/send-message';
import { openOptionsPage } from '../../platform/runtime';
import { activeTabUrl } from '../../platform/tabs';
import { busy } from '../../ui/dom';
import { errorText } from '../../ui/error-text';
import { formatTime } from '../../ui/format';
import { showSite } from '../../ui/popup/site-section';
import { requiredElement } from '../../ui/required-element';
import { summarizeStatus } from '../../ui/status-summary';

const label = requiredElement('status-label', HTMLParagraphElement);
const detail = requiredElement('status-detail', HTMLParagraphElement);
const error = requiredElement('error', HTMLParagraphElement);
const unlockForm = requiredElement('unlock-form', HTMLFormElement);
const unlocked = requiredElement('unlocked', HTMLDivElement);
const lock = requiredElement('lock', HTMLButtonElement);
const openOptions = requiredElement('open-options', HTMLButtonElement);
const passphrase = unlockForm.elements.namedItem('passphrase') as HTMLInputElement;

async function showStatus(): Promise<void> {
  try {
    const status = await sendMessage('status.get', {});
    const summary = summarizeStatus(status);
    label.textContent = summary.label;
    label.dataset.state = summary.state;
    const who = status.defaultKey?.userIds[0];
    detail.textContent = who ? `${who}. ${summary.detail}` : summary.detail;
    openOptions.textContent = summary.state === 'no-key' ? 'Set up your key' : 'Open settings';
    openOptions.classList.toggle('primary', summary.state === 'no-key');
    unlockForm.hidden = summary.state !== 'locked';
    unlocked.hidden = summary.state !== 'unlocked';
    const lockAt = status.defaultKey?.autoLockAt;
    requiredElement('auto-lock', HTMLSpanElement).textContent =
      lockAt == null ? '' : `Locks automatically at ${formatTime(lockAt)} if unused.`;
    if (!unlockForm.hidden) passphrase.focus();
  } catch (e) {
    label.textContent = 'Status unknown';
    error.textContent = errorText(e);
    error.hidden = false;
  } finally {
    label.removeAttribute('aria-busy');
  }
}

unlockForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void busy(
    unlockForm,
    error,
    async () => {
      await sendMessage('vault.unlock', { passphrase: passphrase.value });
      unlockForm.reset();
      await showStatus();
    },
    errorText,
  );
});
lock.addEventListener('click', () => {
  void busy(
    lock,
    error,
    async () => {
      await sendMessage('vault.lock', {});
      await showStatus();
    },
    errorText,
  );
});
openOptions.addEventListener('click', () => {
  openOptionsPage().catch((e: unknown) => {
    error.textContent = errorText(e);
    error.hidden = false;
  });
});

void showStatus();
void activeTabUrl()
  .catch(() => undefined)
  .then((url) =>
    showSite(url, {
      text: requiredElement('site', HTMLParagraphElement),
      toggle: requiredElement('site-toggle', HTMLButtonElement),
      error,
    }),
  )
  .catch((e: unknown) => {
    error.textContent = errorText(e);
    error.hidden = false;
  });
void sendMessage('settings.get', {})
  .then((s) => (requiredElement('security-phrase', HTMLSpanElement).textContent = `“${s.securityPhrase}”`))
  .catch(() => undefined);
