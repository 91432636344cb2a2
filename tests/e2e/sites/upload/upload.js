// Shared by the sample upload pages: what a typical site does with the files it is given. It uploads them with
// fetch(FormData) and writes what it saw into #log, so a test can also check what the page's own JavaScript held.
export async function upload(files, via) {
  const form = new FormData();
  for (const file of files) form.append('file', file, file.name);
  const response = await fetch(`/upload?via=${encodeURIComponent(via)}`, { method: 'POST', body: form });
  const names = Array.from(files, (f) => `${f.name} (${f.size} bytes)`).join(', ');
  log(`${via}: uploaded ${names} -> ${response.status}`);
}

export function log(line) {
  const item = document.createElement('li');
  item.textContent = line;
  document.getElementById('log').append(item);
}
