import '../../ui/styles.css';
import type { VaultKey } from '../../messaging/protocol';
import { sendMessage } from '../../messaging/send-message';
import { errorText } from '../../ui/error-text';
import { wireCreateKeyForm } from '../../ui/options/create-key-form';
import { wireDeleteDialog } from '../../ui/options/delete-dialog';
import { wireImportForm } from '../../ui/options/import-key-form';
import { keyCard } from '../../ui/options/key-card';
import { wireSettingsForm } from '../../ui/options/settings-form';
import { wireTabs } from '../../ui/options/tabs';
import { requiredElement } from '../../ui/required-element';
import { summarizeStatus } from '../../ui/status-summary';

const keyStatus = requiredElement('key-status', HTMLParagraphElement);
const error = requiredElement('error', HTMLParagraphElement);
const keysSection = requiredElement('keys-section', HTMLElement);
const keyList = requiredElement('keys', HTMLDivElement);
const confirmDelete = wireDeleteDialog(requiredElement('delete-dialog', HTMLDialogElement));

async function refresh(): Promise<void> {
  try {
    const status = await sendMessage('status.get', {});
    const summary = summarizeStatus(status);
    keyStatus.textContent = `${summary.label}: ${summary.detail}`;
    keyStatus.dataset.state = summary.state;
    requiredElement('version', HTMLElement).textContent = status.version;
    requiredElement('welcome', HTMLElement).hidden = status.keys > 0;
    requiredElement('add-heading', HTMLHeadingElement).textContent =
      status.keys > 0 ? 'Add another key' : 'Set up your key';
    const { keys } = await sendMessage('vault.list', {});
    keysSection.hidden = keys.length === 0;
    keyList.replaceChildren(...(await Promise.all(keys.map(card))));
    error.hidden = true;
  } catch (e) {
    error.textContent = errorText(e);
    error.hidden = false;
  } finally {
    keyStatus.removeAttribute('aria-busy');
  }
}

async function card(key: VaultKey): Promise<HTMLElement> {
  const { publication } = await sendMessage('publish.last', { fingerprint: key.fingerprint });
  return keyCard(key, { refresh, confirmDelete, publication });
}

wireTabs();
wireCreateKeyForm(requiredElement('create-form', HTMLFormElement), refresh);
wireImportForm(
  {
    file: requiredElement('import-file', HTMLInputElement),
    text: requiredElement('import-text', HTMLTextAreaElement),
    read: requiredElement('import-read', HTMLButtonElement),
    found: requiredElement('import-found', HTMLDivElement),
    form: requiredElement('import-form', HTMLFormElement),
    passphraseLabel: requiredElement('import-passphrase-label', HTMLSpanElement),
    error: requiredElement('import-error', HTMLParagraphElement),
  },
  refresh,
);
sendMessage('settings.get', {})
  .then((settings) => wireSettingsForm(requiredElement('settings-form', HTMLFormElement), settings))
  .catch((e: unknown) => {
    error.textContent = errorText(e);
    error.hidden = false;
  });
void refresh();
