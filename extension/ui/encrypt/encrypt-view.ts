import { generateFilePassword } from '../../../shared/file-password';
import { encryptChannel, type EncryptAsk } from '../../messaging/encrypt-channel';
import { openChannel } from '../../messaging/runtime-channels';
import { sendMessage } from '../../messaging/send-message';
import { el } from '../dom';
import { formatBytes } from '../format';
import { addressList, chosenGroups, groupCheckboxes } from '../recipient-picker';
import { requiredElement } from '../required-element';
import { mountUnlockForm } from '../unlock-form';

/**
 * "Encrypt a file": files or a folder's files, to the user and chosen groups and people (signed), or with a
 * password Keyward makes for someone who has no key; the results are saved as `.pgp`. The password is shown once.
 */
export function mountEncryptPage(): void {
  const form = requiredElement('encrypt-form', HTMLFormElement);
  const filesInput = requiredElement('files', HTMLInputElement);
  const folderInput = requiredElement('folder', HTMLInputElement);
  const chosen = requiredElement('chosen', HTMLParagraphElement);
  const groupsBox = requiredElement('groups', HTMLDivElement);
  const people = requiredElement('people', HTMLInputElement);
  const gnupg = requiredElement('gnupg', HTMLInputElement);
  const peoplePart = requiredElement('people-part', HTMLDivElement);
  const status = requiredElement('status', HTMLParagraphElement);
  const error = requiredElement('error', HTMLParagraphElement);
  const unlockForm = requiredElement('unlock-form', HTMLFormElement);
  const result = requiredElement('result', HTMLElement);
  let files: File[] = [];
  let locked: string | undefined;

  void sendMessage('groups.list', {}).then(({ groups }) =>
    groupsBox.replaceChildren(
      ...(groups.length === 0
        ? [el('p', { class: 'muted' }, 'No groups yet (create them in the settings).')]
        : []),
      ...groupCheckboxes(groups),
    ),
  );
  const mode = () => (form.elements.namedItem('mode') as RadioNodeList).value as 'people' | 'password';
  form.addEventListener('change', () => (peoplePart.hidden = mode() !== 'people'));
  const take = (input: HTMLInputElement, other: HTMLInputElement) => {
    files = [...(input.files ?? [])];
    other.value = '';
    const total = files.reduce((sum, f) => sum + f.size, 0);
    chosen.textContent =
      files.length === 0
        ? ''
        : `${files.length} file${files.length === 1 ? '' : 's'}, ${formatBytes(total)}.`;
  };
  filesInput.addEventListener('change', () => take(filesInput, folderInput));
  folderInput.addEventListener('change', () => take(folderInput, filesInput));

  const say = (text: string, isError = false) => {
    status.textContent = isError ? '' : text;
    error.textContent = isError ? text : '';
    error.hidden = !isError;
  };

  function encrypt(): void {
    if (files.length === 0) {
      say('Choose the files to encrypt first.', true);
      filesInput.focus();
      return;
    }
    const password = mode() === 'password' ? generateFilePassword() : undefined;
    const request: EncryptAsk =
      password === undefined
        ? {
            kind: 'to-people',
            files,
            groups: chosenGroups(groupsBox),
            people: addressList(people.value),
            forGnuPG: gnupg.checked,
          }
        : { kind: 'with-password', files, password };
    result.hidden = true;
    unlockForm.hidden = true;
    say(`Encrypting ${files.length === 1 ? files[0]!.name : `${files.length} files`}…`);
    const port = openChannel(encryptChannel);
    port.onMessage((report) => {
      if (report.kind === 'progress') {
        say(`Encrypting ${report.file}… ${Math.round((100 * report.done) / Math.max(1, report.total))}%`);
        return;
      }
      port.disconnect();
      if (report.kind === 'locked') {
        locked = report.fingerprint;
        requiredElement('unlock-label', HTMLSpanElement).textContent = `Passphrase of ${report.userId}`;
        unlockForm.hidden = false;
        say(`Your key ${report.userId} signs the files, and it is locked.`);
        (unlockForm.elements.namedItem('passphrase') as HTMLInputElement).focus();
      } else if (report.kind === 'failed') {
        say(report.message, true);
      } else {
        say('');
        showResult(report.files, report.encryptedFor, password);
      }
    });
    port.onDisconnect(() => say('Keyward stopped; nothing was encrypted. Try again.', true));
    port.post(request);
  }

  function showResult(
    out: readonly File[],
    encryptedFor: readonly string[],
    password: string | undefined,
  ): void {
    requiredElement('result-for', HTMLParagraphElement).textContent =
      password === undefined ? `Encrypted for: ${encryptedFor.join(', ')}.` : 'Encrypted with a password.';
    const box = requiredElement('password-box', HTMLDivElement);
    box.hidden = password === undefined;
    requiredElement('password', HTMLElement).textContent = password ?? '';
    requiredElement('saves', HTMLUListElement).replaceChildren(
      ...out.map((file) => {
        const link = el(
          'a',
          { class: 'button', href: URL.createObjectURL(file), download: file.name },
          `Save ${file.name}`,
        );
        return el('li', {}, link);
      }),
    );
    result.hidden = false;
    requiredElement('result-heading', HTMLElement).focus();
  }

  requiredElement('copy', HTMLButtonElement).addEventListener('click', () => {
    void navigator.clipboard.writeText(requiredElement('password', HTMLElement).textContent ?? '');
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    encrypt();
  });
  mountUnlockForm(unlockForm, { error, fingerprint: () => locked, unlocked: () => encrypt() });
}
