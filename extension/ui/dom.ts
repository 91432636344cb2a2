import { errorText } from './error-text';

/**
 * A small element builder for extension pages. Text always goes in through textContent: user ids come from imported
 * keys and keyservers and are untrusted, so nothing here ever parses HTML.
 */
type Attributes = Record<string, string | boolean | undefined>;
type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name === 'class') element.className = String(value);
    else element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/**
 * Runs an async action from a button or form: busy state while it runs, its error shown in `errorBox` (next to the
 * form that caused it). On failure the focus goes to `options.focusOnError` (the field to fix, e.g. a passphrase),
 * its text selected, so the user can retype at once.
 */
export async function busy(
  control: HTMLButtonElement | HTMLFormElement,
  errorBox: HTMLElement,
  action: () => Promise<void>,
  describe: (error: unknown) => string = errorText,
  options: { focusOnError?: HTMLInputElement } = {},
): Promise<void> {
  const buttons = control instanceof HTMLFormElement ? [...control.querySelectorAll('button')] : [control];
  errorBox.hidden = true;
  buttons.forEach((b) => (b.disabled = true));
  control.setAttribute('aria-busy', 'true');
  try {
    await action();
  } catch (error) {
    errorBox.textContent = describe(error);
    errorBox.hidden = false;
    // Stale as soon as the user changes what it was about.
    const form = control instanceof HTMLFormElement ? control : control.form;
    form?.addEventListener('input', () => (errorBox.hidden = true), { once: true });
    options.focusOnError?.focus();
    options.focusOnError?.select();
  } finally {
    buttons.forEach((b) => (b.disabled = false));
    control.removeAttribute('aria-busy');
  }
}

/** An empty error box for one form or section: shown by `busy` when that form's action fails. */
export function errorBox(): HTMLParagraphElement {
  return el('p', { class: 'error', role: 'alert', hidden: true });
}

/** A line that confirms what an action did (e.g. where an export was saved); empty and hidden until then. */
export function doneLine(): HTMLParagraphElement {
  return el('p', { class: 'ok', role: 'status', hidden: true });
}

/** Shows `text` in a `doneLine`. */
export function markDone(line: HTMLElement, text: string): void {
  line.textContent = text;
  line.hidden = false;
}
