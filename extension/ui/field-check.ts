import type { z } from 'zod';
import { protocol, type MessageType } from '../messaging/protocol';
import { el } from './dom';

/**
 * Checks what a form is about to send with the protocol's own schema for that message (the background checks the
 * same one), before anything is sent: each problem is shown under its field in the page's words, tied to the field
 * (`aria-invalid`, `aria-describedby`), and the first such field takes the focus. False when something must be
 * fixed first.
 */
export function checkFields<K extends MessageType>(
  form: HTMLFormElement,
  type: K,
  payload: Record<string, unknown>,
  words: {
    /** What to say for a field that is wrong or missing, by the request's field name. */
    readonly messages: Readonly<Record<string, string>>;
    /** Form fields named otherwise than the request's fields (request field -> input name). */
    readonly inputs?: Readonly<Record<string, string>>;
  },
): boolean {
  const schema = protocol[type].request as z.ZodType;
  const result = schema.safeParse(payload);
  const wrong = new Set<string>();
  if (!result.success) for (const issue of result.error.issues) wrong.add(String(issue.path[0] ?? ''));
  let first: HTMLElement | undefined;
  for (const field of Object.keys(payload)) {
    const input = form.elements.namedItem(words.inputs?.[field] ?? field);
    if (!(input instanceof HTMLInputElement || input instanceof HTMLTextAreaElement)) continue;
    const message = wrong.has(field) ? (words.messages[field] ?? 'Check this field.') : '';
    setFieldError(input, message);
    if (message) first ??= input;
  }
  first?.focus();
  return result.success;
}

/** An error line under a field (made the first time), tied to it; empty and hidden when `message` is. */
export function setFieldError(input: HTMLInputElement | HTMLTextAreaElement, message: string): void {
  const id = `${input.form?.id || 'form'}-${input.name}-error`;
  let line = input.ownerDocument.getElementById(id);
  if (!line) {
    line = el('span', { class: 'field-error', id, hidden: true });
    (input.closest('label') ?? input).after(line);
    const described = input.getAttribute('aria-describedby');
    input.setAttribute('aria-describedby', described ? `${id} ${described}` : id);
  }
  line.textContent = message;
  line.hidden = !message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}
