/** Server-rendered pages: no scripts at all (the CSP forbids them), escaped text, one small stylesheet. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Tagged template that escapes every interpolated value unless it is already `Html`. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    const text = Array.isArray(v)
      ? v.map((x) => (x instanceof Html ? x.value : escapeHtml(String(x)))).join('')
      : v instanceof Html
        ? v.value
        : escapeHtml(typeof v === 'string' || typeof v === 'number' ? String(v) : '');
    out += text + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1d2433;background:#f7f8fa}
h1{font-size:1.6rem;margin:0 0 .25rem}h1 a{color:inherit;text-decoration:none}
.lead{color:#5a6375;margin-top:0}section{background:#fff;border:1px solid #dde1e8;border-radius:10px;padding:1.25rem;margin:1.25rem 0}
label{display:block;font-weight:600;margin-bottom:.35rem}input,textarea{width:100%;box-sizing:border-box;padding:.55rem;border:1px solid #b9c0cc;border-radius:6px;font:inherit}
textarea{min-height:9rem;font-family:ui-monospace,monospace;font-size:.8rem}
button{margin-top:.75rem;padding:.55rem 1.1rem;border:0;border-radius:6px;background:#2456d3;color:#fff;font:inherit;font-weight:600;cursor:pointer}
.ok{border-color:#7cc49a;background:#effaf3}.err{border-color:#e49b9b;background:#fdf1f1}code{word-break:break-all}
footer{color:#5a6375;font-size:.85rem}`;

export function page(title: string, body: Html, base = ''): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>${title} · Keyward keyserver</title>
        <style>
          ${new Html(STYLE)}
        </style>
      </head>
      <body>
        <header>
          <h1><a href="${base}/">Keyward keyserver</a></h1>
          <p class="lead">Verified OpenPGP keys, looked up by e-mail address.</p>
        </header>
        <main>${body}</main>
        <footer>
          <p>
            Only addresses whose owners confirmed them by mail are published.
            <a href="${base}/manage">Remove your address</a>.
          </p>
        </footer>
      </body>
    </html>`.value;
}
