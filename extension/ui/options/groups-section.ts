import type { Group } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { busy, el, errorBox } from '../dom';
import { groupFingerprint } from '../format';
import { addressList } from '../recipient-picker';
import { requiredElement } from '../required-element';
import { liveSection, onFilePicked } from './live-section';

/**
 * "Groups": named recipient lists a site's uploads can go to. Create or edit (a name and one address per line),
 * save as a file for the team, import the file a team lead sent (its fingerprints are pinned), delete.
 */
export function mountGroupsSection(onChange: () => void): { refresh: () => Promise<void> } {
  const list = requiredElement('groups', HTMLDivElement);
  const form = requiredElement('group-form', HTMLFormElement);
  const formError = form.querySelector<HTMLElement>('.error')!;
  const nameInput = form.elements.namedItem('name') as HTMLInputElement;
  const membersInput = form.elements.namedItem('members') as HTMLTextAreaElement;
  const formHeading = requiredElement('group-form-heading', HTMLElement);
  const cancel = requiredElement('group-cancel', HTMLButtonElement);
  const fileInput = requiredElement('group-file', HTMLInputElement);
  const notice = requiredElement('groups-notice', HTMLParagraphElement);
  const sectionError = requiredElement('groups-error', HTMLParagraphElement);
  let editing: Group | null = null;

  const edit = (group: Group | null) => {
    editing = group;
    nameInput.value = group?.name ?? '';
    membersInput.value = group?.members.map((m) => m.email).join('\n') ?? '';
    formHeading.textContent = group ? `Edit “${group.name}”` : 'New group';
    cancel.hidden = group === null;
    if (group) nameInput.focus();
  };

  const { say, refresh, after } = liveSection({
    notice,
    error: sectionError,
    load: async () => (await sendMessage('groups.list', {})).groups,
    render: (groups: Group[]) =>
      list.replaceChildren(
        ...(groups.length === 0 ? [el('p', { class: 'muted' }, 'No groups yet.')] : []),
        ...groups.map((g) => groupCard(g)),
      ),
    onChange,
  });

  function groupCard(group: Group): HTMLElement {
    const error = errorBox();
    const button = (label: string, work: (b: HTMLButtonElement) => Promise<void> | void) => {
      const b = el('button', { class: 'button', type: 'button' }, label);
      b.addEventListener('click', () => void busy(b, error, async () => work(b)));
      return b;
    };
    return el(
      'article',
      { class: 'key-card', 'aria-label': group.name, 'data-group': group.id },
      el('header', { class: 'key-card-head' }, el('h3', {}, group.name)),
      el(
        'ul',
        { class: 'members' },
        ...group.members.map((m) =>
          el(
            'li',
            {},
            m.email,
            m.fingerprint &&
              el('span', {}, ' ', el('code', { class: 'fingerprint' }, groupFingerprint(m.fingerprint))),
          ),
        ),
      ),
      el(
        'div',
        { class: 'row' },
        button('Edit', () => edit(group)),
        button('Save as file', async () => {
          const { filename } = await sendMessage('groups.export', { id: group.id });
          say(`Saved ${filename} to your downloads. Send it to the team; each member imports it here.`);
        }),
        button('Delete', async () => {
          if (
            !confirm(
              `Delete the group “${group.name}”? Sites whose uploads go to it stop until you choose again.`,
            )
          )
            return;
          await sendMessage('groups.remove', { id: group.id });
          if (editing?.id === group.id) edit(null);
          await after(`Group “${group.name}” deleted.`);
        }),
      ),
      error,
    );
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const members = addressList(membersInput.value).map((email) => {
      const known = editing?.members.find((m) => m.email === email.toLowerCase());
      return known?.fingerprint ? { email, fingerprint: known.fingerprint } : { email };
    });
    void busy(form, formError, async () => {
      const saved = await sendMessage('groups.save', {
        ...(editing ? { id: editing.id } : {}),
        name: nameInput.value,
        members,
      });
      edit(null);
      const count = `${saved.members.length} member${saved.members.length === 1 ? '' : 's'}`;
      await after(
        saved.problems.length === 0
          ? `Group “${saved.name}” saved with ${count}.`
          : `Group “${saved.name}” saved with ${count}, but uploads to it stop until this is fixed: ` +
              saved.problems.join(' '),
      );
    });
  });
  cancel.addEventListener('click', () => edit(null));
  const fileError = requiredElement('group-file-error', HTMLParagraphElement);
  onFilePicked(fileInput, fileError, async (file) => {
    const group = await sendMessage('groups.import', { text: await file.text() });
    await after(`Group “${group.name}” imported with ${group.members.length} members.`);
  });

  void refresh();
  return { refresh };
}
