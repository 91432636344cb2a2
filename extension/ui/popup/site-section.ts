import { KeywardError } from '../../../shared/errors';
import type { OutputName, SiteState } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { requestOriginPermission } from '../../platform/permissions';
import { openOptionsPage } from '../../platform/runtime';
import { activeTabUrl } from '../../platform/tabs';
import { busy, el } from '../dom';
import { errorText } from '../error-text';
import { addressList, chosenGroups, groupCheckboxes } from '../recipient-picker';
import { requiredElement } from '../required-element';
import { siteText } from './site-text';

/** The popup's "This site" section for the active tab (read through the activeTab permission). */
export function mountSiteSection(): void {
  const ui = {
    text: requiredElement('site', HTMLParagraphElement),
    toggle: requiredElement('site-toggle', HTMLButtonElement),
    options: requiredElement('site-options', HTMLDivElement),
    strict: requiredElement('site-strict', HTMLInputElement),
    gnupg: requiredElement('site-gnupg', HTMLInputElement),
    outputName: requiredElement('site-output-name', HTMLSelectElement),
    groups: requiredElement('site-groups', HTMLDivElement),
    people: requiredElement('site-people', HTMLInputElement),
    saveRecipients: requiredElement('site-recipients-save', HTMLButtonElement),
    problems: requiredElement('site-problems', HTMLUListElement),
    error: requiredElement('error', HTMLParagraphElement),
  };
  activeTabUrl()
    .catch(() => undefined)
    .then((url) => showSite(url, ui))
    .catch((e: unknown) => {
      ui.error.textContent = errorText(e);
      ui.error.hidden = false;
    });
}

/** Whether uploads on the tab's site are encrypted, and the switch to change it. */
async function showSite(
  url: string | undefined,
  ui: {
    text: HTMLElement;
    toggle: HTMLButtonElement;
    options: HTMLElement;
    strict: HTMLInputElement;
    gnupg: HTMLInputElement;
    outputName: HTMLSelectElement;
    groups: HTMLElement;
    people: HTMLInputElement;
    saveRecipients: HTMLButtonElement;
    problems: HTMLUListElement;
    error: HTMLElement;
  },
): Promise<void> {
  const origin = url && URL.canParse(url) ? new URL(url).origin : undefined;
  if (origin === undefined || !/^https?:/.test(origin)) {
    ui.text.textContent = siteText(url);
    return;
  }
  let state: SiteState = await sendMessage('sites.get', { origin });
  const { groups } = await sendMessage('groups.list', {});
  // Uploads are encrypted to the user's key: without one, the switch leads to setting one up instead.
  const noKey = (await sendMessage('status.get', {})).keys === 0;
  const render = () => {
    ui.text.textContent = siteText(url, state);
    ui.toggle.textContent = state.enabled
      ? 'Stop encrypting uploads here'
      : noKey
        ? 'Set up your key to encrypt here…'
        : 'Encrypt uploads on this site';
    ui.toggle.hidden = false;
    ui.options.hidden = !state.enabled;
    ui.strict.checked = state.strict;
    ui.gnupg.checked = state.forGnuPG;
    ui.outputName.value = state.outputName;
    ui.groups.replaceChildren(
      ...(groups.length === 0
        ? [el('p', { class: 'muted' }, 'No groups yet (create them in the settings).')]
        : []),
      ...groupCheckboxes(groups, state.recipients.groups),
    );
    ui.people.value = state.recipients.people.join(', ');
    ui.problems.replaceChildren(...state.recipientProblems.map((p) => el('li', {}, p)));
    ui.problems.hidden = state.recipientProblems.length === 0;
  };
  render();
  ui.saveRecipients.addEventListener('click', () => {
    const chosen = chosenGroups(ui.groups);
    const people = addressList(ui.people.value);
    void busy(ui.saveRecipients, ui.error, async () => {
      state = await sendMessage('sites.update', { origin, recipients: { groups: chosen, people } });
      render();
    });
  });
  const update = (change: { strict?: boolean; forGnuPG?: boolean; outputName?: OutputName }) => {
    ui.error.hidden = true;
    sendMessage('sites.update', { origin, ...change })
      .then((next) => {
        state = next;
        render();
      })
      .catch((e: unknown) => {
        render(); // back to what is stored
        ui.error.textContent = errorText(e);
        ui.error.hidden = false;
      });
  };
  ui.strict.addEventListener('change', () => update({ strict: ui.strict.checked }));
  ui.gnupg.addEventListener('change', () => update({ forGnuPG: ui.gnupg.checked }));
  ui.outputName.addEventListener('change', () => update({ outputName: ui.outputName.value as OutputName }));
  ui.toggle.addEventListener('click', () => {
    if (noKey && !state.enabled) {
      void openOptionsPage()
        .then(() => window.close())
        .catch((e: unknown) => {
          ui.error.textContent = errorText(e);
          ui.error.hidden = false;
        });
      return;
    }
    // Asked inside the click: browsers grant host permissions only during a user gesture.
    const allowed = state.enabled ? Promise.resolve(true) : requestOriginPermission(origin);
    void busy(ui.toggle, ui.error, async () => {
      if (!(await allowed)) {
        throw new KeywardError(
          'forbidden',
          `Keyward needs access to ${new URL(origin).host} to encrypt uploads there.`,
        );
      }
      state = await sendMessage('sites.setEnabled', { origin, enabled: !state.enabled });
      render();
    });
  });
}
