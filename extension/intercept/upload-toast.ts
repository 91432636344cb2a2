/**
 * The small notice Keyward shows inside a page while it encrypts an upload: progress, who the file was encrypted
 * for, or why nothing was uploaded. It lives in a closed shadow root (page styles cannot reach it, page scripts
 * cannot read it) and always shows the user's security phrase, which a page cannot know, so a page cannot fake it.
 */
export interface UploadToast {
  progress(text: string, fraction: number): void;
  done(text: string): void;
  failed(text: string): void;
  remove(): void;
}

const STYLE = `
:host { all: initial; }
.toast { position: fixed; z-index: 2147483647; right: 16px; bottom: 16px; width: min(360px, calc(100vw - 32px));
  box-sizing: border-box; padding: 12px 14px; border-radius: 10px; background: #1f2328; color: #f3f4f6;
  font: 13px/1.45 system-ui, sans-serif; box-shadow: 0 6px 24px rgb(0 0 0 / 35%); display: grid; gap: 6px; }
.head { display: flex; justify-content: space-between; gap: 8px; align-items: baseline; }
.brand { font-weight: 650; }
.phrase { color: #b7c3d0; font-style: italic; overflow-wrap: anywhere; }
.text { overflow-wrap: anywhere; }
.failed .text { color: #ffb4a9; }
.bar { height: 4px; border-radius: 2px; background: #3b424a; overflow: hidden; }
.bar > span { display: block; height: 100%; background: #5b9cf5; width: 0; transition: width 120ms linear; }
button { all: unset; cursor: pointer; color: #b7c3d0; padding: 0 4px; }
button:focus-visible { outline: 2px solid #5b9cf5; }
`;

export function showUploadToast(doc: Document, securityPhrase: string): UploadToast {
  const host = doc.createElement('keyward-notice');
  const root = host.attachShadow({ mode: 'closed' });
  const style = doc.createElement('style');
  style.textContent = STYLE;
  const box = element(doc, 'div', 'toast');
  box.setAttribute('role', 'status');
  const head = element(doc, 'div', 'head');
  const brand = element(doc, 'span', 'brand', 'Keyward');
  const phrase = element(doc, 'span', 'phrase', `“${securityPhrase}”`);
  phrase.title = 'Your security phrase: only Keyward knows it.';
  const close = element(doc, 'button', '', '×');
  close.setAttribute('aria-label', 'Close');
  head.append(brand, phrase, close);
  const text = element(doc, 'div', 'text');
  const bar = element(doc, 'div', 'bar');
  const fill = element(doc, 'span', '');
  bar.append(fill);
  box.append(head, text, bar);
  root.append(style, box);
  doc.documentElement.append(host);

  let timer: ReturnType<typeof setTimeout> | undefined;
  const remove = () => {
    clearTimeout(timer);
    host.remove();
  };
  close.addEventListener('click', remove);
  return {
    progress(message, fraction) {
      text.textContent = message;
      bar.hidden = false;
      fill.style.width = `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`;
    },
    done(message) {
      text.textContent = message;
      bar.hidden = true;
      timer = setTimeout(remove, 8000);
    },
    failed(message) {
      box.classList.add('failed');
      box.setAttribute('role', 'alert');
      text.textContent = message;
      bar.hidden = true;
    },
    remove,
  };
}

function element(doc: Document, tag: string, className: string, text?: string): HTMLElement {
  const e = doc.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}
