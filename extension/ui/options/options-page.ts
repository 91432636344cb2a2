import type { Settings, StatusResponse, VaultKey } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { el } from '../dom';
import { errorText } from '../error-text';
import { requiredElement } from '../required-element';
import { summarizeStatus } from '../status-summary';
import { mountAddKeySection } from './add-key-section';
import { mountCreateKeyForm } from './create-key-form';
import { mountDeleteDialog } from './delete-dialog';
import { mountImportForm } from './import-key-form';
import { keyCard, keyHeadingId } from './key-card';
import { mountSettingsForm } from './settings-form';
import { mountWelcomeKeyserver } from './welcome-keyserver';
import { mountContactsSection } from './contacts-section';
import { mountGroupsSection } from './groups-section';
import { mountHandoverReceive } from './handover-receive';
import { mountLegacySections } from './legacy-sections';
import { mailRecoveryCode } from './key-recovery-section';
import { mountRestoreForms } from './restore-key-form';
import { mountTabs } from './tabs';
import { viewSignature, watchForChanges } from './view-freshness';

interface After {
  /** The key whose card takes the focus (and shows `message`). */
  readonly focus?: string;
  /** What the last action did; shown in that card, or at the top of the page. */
  readonly message?: string;
  /** What the last action could not do (shown in that card as a warning, never inside the confirmation). */
  readonly warning?: string;
}

/** The options page: the user's keys, adding one, settings. Every action ends by re-reading the background. */
export function mountOptionsPage(): void {
  const error = requiredElement('error', HTMLParagraphElement);
  const notice = requiredElement('notice', HTMLParagraphElement);
  const keyList = requiredElement('keys', HTMLDivElement);
  const confirmDelete = mountDeleteDialog(requiredElement('delete-dialog', HTMLDialogElement));
  const addSection = mountAddKeySection();
  let keyserverUrl: string | undefined;

  let shown = { state: '', times: '' };

  async function load() {
    const [status, { keys }] = await Promise.all([
      sendMessage('status.get', {}),
      sendMessage('vault.list', {}),
    ]);
    const publications = await Promise.all(
      keys.map(async (k) => (await sendMessage('publish.last', { fingerprint: k.fingerprint })).publication),
    );
    return { status, keys, publications };
  }

  function render({ status, keys, publications }: Awaited<ReturnType<typeof load>>, after: After): void {
    showStatus(status);
    requiredElement('welcome', HTMLElement).hidden = keys.length > 0;
    requiredElement('keys-section', HTMLElement).hidden = keys.length === 0;
    // Other people come after the user's own key: a new user sees only the onboarding.
    requiredElement('people-section', HTMLElement).hidden = keys.length === 0;
    requiredElement('groups-section', HTMLElement).hidden = keys.length === 0;
    legacy.showFor(keys);
    addSection.showFor(keys.length);
    const inCard = document.activeElement?.closest<HTMLElement>('[data-fingerprint]')?.dataset.fingerprint;
    const focus = after.focus ?? inCard;
    const shownKey = focus !== undefined && keys.some((k) => k.fingerprint === focus);
    keyList.replaceChildren(
      ...keys.map((key, i) =>
        keyCard(key, {
          keyserverUrl,
          publication: publications[i] ?? null,
          message: shownKey && key.fingerprint === after.focus ? after.message : undefined,
          warning: shownKey && key.fingerprint === after.focus ? after.warning : undefined,
          refresh,
          confirmDelete,
        }),
      ),
    );
    error.hidden = true;
    notice.textContent = shownKey ? '' : (after.message ?? '');
    notice.hidden = !notice.textContent;
    shown = viewSignature(keys);
    freshness.scheduleFor(keys);
    // The element that had the focus is gone: it goes to the card it was in, or to the heading of what is left.
    if (shownKey) document.getElementById(keyHeadingId(focus))?.focus();
    else if (after.message || inCard) (keys.length > 0 ? keysHeading() : welcomeHeading()).focus();
  }

  async function refresh(after: After = {}): Promise<void> {
    try {
      render(await load(), after);
    } catch (e) {
      error.textContent = errorText(e);
      error.hidden = false;
    }
  }

  /** A redraw nobody asked for: only when something changed, and never over the user's typing for a mere time. */
  async function recheck(): Promise<void> {
    const data = await load().catch(() => undefined);
    if (data === undefined) return;
    const now = viewSignature(data.keys);
    if (now.state === shown.state && (now.times === shown.times || freshness.userIsBusy())) {
      freshness.scheduleFor(data.keys);
      return;
    }
    render(data, {});
  }
  const freshness = watchForChanges(keyList, recheck);

  const focusNew = (keys: readonly VaultKey[], message: string, warning?: string) => {
    addSection.added();
    return refresh({ focus: keys[0]?.fingerprint, message, ...(warning ? { warning } : {}) });
  };
  mountTabs([
    {
      tab: requiredElement('tab-create', HTMLButtonElement),
      panel: requiredElement('create-panel', HTMLDivElement),
    },
    {
      tab: requiredElement('tab-import', HTMLButtonElement),
      panel: requiredElement('import-panel', HTMLDivElement),
    },
    {
      tab: requiredElement('tab-restore', HTMLButtonElement),
      panel: requiredElement('restore-panel', HTMLDivElement),
    },
  ]);
  mountRestoreForms(requiredElement('restore-panel', HTMLDivElement), (key, message) =>
    focusNew([key], message),
  );
  mountHandoverReceive(requiredElement('restore-panel', HTMLDivElement), (key, message) =>
    focusNew([key], message),
  );
  mountCreateKeyForm(requiredElement('create-form', HTMLFormElement), async (key, escrow) => {
    let recovery = 'Set up recovery below so a lost device does not lose it.';
    let warning: string | undefined;
    if (escrow) {
      await mailRecoveryCode(key, escrow.passphrase).then(
        () =>
          (recovery = `To keep a recoverable copy, enter the code mailed to ${key.emails[0] ?? 'you'} under Recovery.`),
        (e: unknown) => {
          recovery = '';
          warning = `No recoverable copy yet, and no code was mailed: ${errorText(e)} Try again under Recovery.`;
        },
      );
    }
    await focusNew(
      [key],
      `Your key is ready and unlocked. ${recovery} Publish it so others can find it.`.replace(/\s+/g, ' '),
      warning,
    );
  });
  mountImportForm(requiredElement('import-panel', HTMLDivElement), (keys) =>
    focusNew(
      keys,
      keys.length === 1 ? 'Key imported and unlocked.' : `${keys.length} keys imported and unlocked.`,
    ),
  );
  // Groups show members' pinned fingerprints, so a change to contacts redraws them, and the other way round.
  const people = {
    contacts: { refresh: () => Promise.resolve() },
    groups: { refresh: () => Promise.resolve() },
  };
  people.contacts = mountContactsSection(() => void people.groups.refresh());
  people.groups = mountGroupsSection(() => void people.contacts.refresh());
  // Naming a trusted person pins their key among the contacts; an imported key joins "Your keys".
  const legacy = mountLegacySections(() => {
    void people.contacts.refresh();
    void refresh();
  });
  sendMessage('settings.get', {})
    .then((settings) => {
      keyserverUrl = settings.keyserverUrl;
      const settingsForm = mountSettingsForm(
        requiredElement('settings-form', HTMLFormElement),
        settings,
        async (saved: Settings) => {
          keyserverUrl = saved.keyserverUrl;
          await refresh();
        },
      );
      mountWelcomeKeyserver(
        requiredElement('welcome-keyserver', HTMLFormElement),
        settings,
        async (saved: Settings) => {
          keyserverUrl = saved.keyserverUrl;
          settingsForm.show(saved);
          requiredElement('add-heading', HTMLElement).focus();
          await refresh();
        },
      );
    })
    .catch((e: unknown) => {
      error.textContent = errorText(e);
      error.hidden = false;
    })
    .finally(() => void refresh());
}

function showStatus(status: StatusResponse): void {
  const summary = summarizeStatus(status);
  const line = requiredElement('key-status', HTMLParagraphElement);
  requiredElement('version', HTMLElement).textContent = status.version;
  line.removeAttribute('aria-busy');
  // A live region: rewritten only when it says something new, so screen readers do not repeat it after each action.
  const text = [summary.label, summary.who, summary.detail].join(' ');
  if (line.dataset.text === text) return;
  line.dataset.text = text;
  line.dataset.state = summary.state;
  line.replaceChildren(
    el('strong', {}, summary.label),
    ...(summary.who ? [el('span', { class: 'who' }, summary.who)] : []),
    el('span', { class: 'muted' }, summary.detail),
  );
}

const keysHeading = () => requiredElement('keys-heading', HTMLHeadingElement);
const welcomeHeading = () => requiredElement('welcome-heading', HTMLHeadingElement);
