import { requiredElement } from '../required-element';

/**
 * The card with the two ways to add a key. Without a key it is the set-up, open at once; with keys it is "Add
 * another key", folded behind a button so the page leads with the keys the user has.
 */
export function mountAddKeySection(): { showFor: (keyCount: number) => void; added: () => void } {
  const heading = requiredElement('add-heading', HTMLHeadingElement);
  const intro = requiredElement('add-intro', HTMLParagraphElement);
  const toggle = requiredElement('add-toggle', HTMLButtonElement);
  const body = requiredElement('add-body', HTMLDivElement);
  let hadKeys: boolean | undefined;
  const expand = (open: boolean) => {
    body.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
  };
  toggle.addEventListener('click', () => expand(body.hidden));

  return {
    /** A key was just added: with other keys there, fold the section again (the new key's card has the focus). */
    added() {
      if (hadKeys) expand(false);
    },
    showFor(keyCount) {
      const hasKeys = keyCount > 0;
      if (hasKeys === hadKeys) return;
      hadKeys = hasKeys;
      heading.textContent = hasKeys ? 'Add another key' : 'Set up your key';
      intro.textContent = hasKeys
        ? 'Create a second key, or import one you already use with GnuPG, Thunderbird or another program.'
        : 'Create a new key in a minute, or import the one you already use with GnuPG, Thunderbird or another program.';
      toggle.hidden = !hasKeys;
      expand(!hasKeys);
    },
  };
}
