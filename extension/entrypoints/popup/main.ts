import '../../ui/styles.css';
import { sendMessage } from '../../messaging/send-message';
import { openOptionsPage } from '../../platform/runtime';
import { errorText } from '../../ui/error-text';
import { requiredElement } from '../../ui/required-element';
import { summarizeStatus } from '../../ui/status-summary';

const label = requiredElement('status-label', HTMLParagraphElement);
const detail = requiredElement('status-detail', HTMLParagraphElement);
const error = requiredElement('error', HTMLParagraphElement);
const openOptions = requiredElement('open-options', HTMLButtonElement);

async function showStatus(): Promise<void> {
  try {
    const summary = summarizeStatus(await sendMessage('status.get', {}));
    label.textContent = summary.label;
    label.dataset.state = summary.state;
    detail.textContent = summary.detail;
    openOptions.textContent = summary.state === 'no-key' ? 'Set up your key' : 'Open settings';
  } catch (e) {
    label.textContent = 'Status unknown';
    error.textContent = errorText(e);
    error.hidden = false;
  } finally {
    label.removeAttribute('aria-busy');
  }
}

openOptions.addEventListener('click', () => {
  openOptionsPage().catch((e: unknown) => {
    error.textContent = errorText(e);
    error.hidden = false;
  });
});

void showStatus();
