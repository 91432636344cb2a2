import '../../ui/styles.css';
import { sendMessage } from '../../messaging/send-message';
import { errorText } from '../../ui/error-text';
import { requiredElement } from '../../ui/required-element';
import { summarizeStatus } from '../../ui/status-summary';

const keyStatus = requiredElement('key-status', HTMLParagraphElement);
const version = requiredElement('version', HTMLElement);
const error = requiredElement('error', HTMLParagraphElement);

async function showStatus(): Promise<void> {
  try {
    const status = await sendMessage('status.get', {});
    const summary = summarizeStatus(status);
    keyStatus.textContent = summary.label;
    keyStatus.dataset.state = summary.state;
    version.textContent = status.version;
  } catch (e) {
    keyStatus.textContent = 'Status unknown';
    error.textContent = errorText(e);
    error.hidden = false;
  } finally {
    keyStatus.removeAttribute('aria-busy');
  }
}

void showStatus();
