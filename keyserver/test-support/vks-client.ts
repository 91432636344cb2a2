import { linkIn } from './mail-catcher';
import type { TestKeyserver } from './test-keyserver';

/** The steps a VKS client takes, against a test keyserver: upload, request verification, confirm by the mail. */
export async function vksUpload(ks: Pick<TestKeyserver, 'url'>, keytext: string) {
  const res = await fetch(`${ks.url}/vks/v1/upload`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ keytext }),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      token: string;
      key_fpr: string;
      status: Record<string, string>;
      error?: string;
    },
  };
}

export async function vksRequestVerify(ks: Pick<TestKeyserver, 'url'>, token: string, addresses: string[]) {
  const res = await fetch(`${ks.url}/vks/v1/request-verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, addresses }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { status: Record<string, string>; error?: string },
  };
}

/** Posts the confirm form behind a mailed link, as the page's button does. */
export async function confirmLink(link: string): Promise<Response> {
  return fetch(link, { method: 'POST' });
}

/** Upload + request-verify + confirm for every address: the key ends up published. */
export async function publishKey(
  ks: Pick<TestKeyserver, 'url' | 'mail'>,
  keytext: string,
  addresses: string[],
): Promise<string> {
  const up = await vksUpload(ks, keytext);
  if (up.status !== 200) throw new Error(`upload failed: ${JSON.stringify(up.body)}`);
  for (const address of addresses) {
    const before = ks.mail.countTo(address);
    const rv = await vksRequestVerify(ks, up.body.token, [address]);
    if (rv.status !== 200) throw new Error(`request-verify failed: ${JSON.stringify(rv.body)}`);
    const mail = await ks.mail.next(address, 5000, before);
    const res = await confirmLink(linkIn(mail, '/verify/'));
    if (res.status !== 200) throw new Error(`confirm failed: ${res.status} ${await res.text()}`);
  }
  return up.body.key_fpr;
}
