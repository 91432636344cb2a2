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

/** Runs an async action from a button or form: busy state while it runs, its error shown in `errorBox`. */
export async function busy(
  control: HTMLButtonElement | HTMLFormElement,
  errorBox: HTMLElement,
  action: () => Promise<void>,
  describe: (error: unknown) => string,
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
  } finally {
    buttons.forEach((b) => (b.disabled = false));
    control.removeAttribute('aria-busy');
  }
}
