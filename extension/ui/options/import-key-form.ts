import { invalidInput } from '../../../shared/errors';
import { type ImportCandidate, type VaultKey } from '../../model';
import { MAX_IMPORT_BYTES } from '../../messaging/protocol';
import { sendMessage } from '../../messaging/send-message';
import { busy, el } from '../dom';
import { groupFingerprint } from '../format';
import { candidateFacts, importPlan, type ImportPlan } from './import-plan';
import { mountNewPassphrase } from './new-passphrase';

/**
 * Import: read a key file (or pasted armor), show what it holds, then ask for the key's own passphrase (locked
 * keys) or a new one (unprotected keys) and import. The file is read as bytes here; only the background parses it.
 */
export function mountImportForm(panel: HTMLElement, onImported: (keys: VaultKey[]) => Promise<void>): void {
  const file = panel.querySelector<HTMLInputElement>('input[type=file]')!;
  const text = panel.querySelector('textarea')!;
  const read = panel.querySelector<HTMLButtonElement>('.import-read')!;
  const readError = panel.querySelector<HTMLElement>('.import-read-error')!;
  const found = panel.querySelector<HTMLElement>('.found')!;
  const form = panel.querySelector('form')!;
  const formError = form.querySelector<HTMLElement>('.error')!;
  const current = form.elements.namedItem('passphrase') as HTMLInputElement;
  const currentLabel = current.closest('label')!;
  const fresh = form.querySelector<HTMLFieldSetElement>('fieldset.new-passphrase')!;
  const next = form.elements.namedItem('newPassphrase') as HTMLInputElement;
  const repeat = form.elements.namedItem('repeat') as HTMLInputElement;
  const legend = fresh.querySelector('legend')!;
  const nextLabel = next.closest('label')!.querySelector('span')!;
  const strengthBox = fresh.querySelector<HTMLElement>('.strength')!;
  let data: string | Uint8Array<ArrayBuffer> | undefined;
  let candidates: ImportCandidate[] = [];
  let plan: ImportPlan | undefined;
  const checkNew = mountNewPassphrase({
    passphrase: next,
    repeat,
    strengthBox,
    userInputs: () => candidates.flatMap((k) => k.userIds),
  });

  /** Whatever was read no longer matches the inputs: the user must read the key again. */
  const forget = () => {
    data = undefined;
    plan = undefined;
    found.replaceChildren();
    form.hidden = true;
    form.reset();
    formError.hidden = true;
    // Clears the strength meter and the match hint, which follow these fields' input events.
    for (const f of [next, repeat]) f.dispatchEvent(new Event('input'));
  };
  const inspect = () =>
    void busy(read, readError, async () => {
      forget();
      const chosen = file.files?.[0];
      if (chosen && chosen.size > MAX_IMPORT_BYTES) throw invalidInput('This file is too large to be a key.');
      const bytes = chosen ? new Uint8Array(await chosen.arrayBuffer()) : text.value.trim();
      if (bytes.length === 0) throw invalidInput('Choose a key file or paste a key first.');
      ({ keys: candidates } = await sendMessage('vault.inspectImport', { data: bytes }));
      data = bytes;
      show(importPlan(candidates));
    });

  file.addEventListener('change', () => {
    text.value = '';
    if (file.files?.length) inspect();
    else forget();
  });
  text.addEventListener('input', () => {
    if (file.value !== '') file.value = '';
    forget();
  });
  read.addEventListener('click', inspect);
  // A pasted key is read at once, as a chosen file is (typing still needs "Read key").
  text.addEventListener('paste', () => setTimeout(inspect));

  function show(p: ImportPlan): void {
    plan = p;
    found.replaceChildren(
      el(
        'p',
        {},
        candidates.length === 1 ? 'This file holds one key:' : `This file holds ${candidates.length} keys:`,
      ),
      el('ul', { class: 'candidates' }, ...candidates.map(candidateItem)),
      p.note && el('p', { class: p.importable ? 'muted' : 'warning' }, p.note),
    );
    form.hidden = !p.importable;
    currentLabel.hidden = current.disabled = !p.askPassphrase;
    fresh.hidden = fresh.disabled = !p.askNewPassphrase;
    // A key already in Keyward keeps the passphrase it has there: asked once, not rated, no repeat.
    repeat.closest('label')!.hidden = repeat.disabled = p.newIsKeywards;
    strengthBox.hidden = p.newIsKeywards;
    legend.textContent = p.newIsKeywards
      ? 'This file’s copy has no passphrase. Enter the one the key has in Keyward.'
      : 'This key has no passphrase. Choose one to protect it in Keyward.';
    nextLabel.textContent = p.newIsKeywards ? 'Passphrase in Keyward' : 'New passphrase';
    next.autocomplete = p.newIsKeywards ? 'current-password' : 'new-password';
    if (p.importable) (p.askPassphrase ? current : next).focus();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(
      form,
      formError,
      async () => {
        if (data === undefined || plan === undefined) throw invalidInput('Read the key again first.');
        if (plan.askNewPassphrase && !plan.newIsKeywards) await checkNew();
        const { keys } = await sendMessage('vault.import', {
          data,
          ...(plan.askPassphrase ? { passphrase: current.value } : {}),
          ...(plan.askNewPassphrase ? { newPassphrase: next.value } : {}),
        });
        file.value = '';
        text.value = '';
        forget();
        await onImported(keys);
      },
      undefined,
      { focusOnError: plan?.askPassphrase ? current : plan?.newIsKeywards ? next : undefined },
    );
  });
}

function candidateItem(k: ImportCandidate): HTMLLIElement {
  return el(
    'li',
    {},
    el('strong', {}, k.userIds[0] ?? '(no name or address)'),
    ...k.userIds.slice(1).map((id) => el('span', { class: 'muted' }, id)),
    el('code', { class: 'fingerprint' }, groupFingerprint(k.fingerprint)),
    el('span', { class: 'muted' }, candidateFacts(k).join(' · ')),
  );
}
