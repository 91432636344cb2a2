/**
 * The element with this id, of this type. Pages look their markup up once at start; a missing element is a bug
 * in the page's HTML, so it throws instead of leaving a screen half wired.
 */
export function requiredElement<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`The page has no <${type.name}> #${id}.`);
  return element;
}
