import type { BrowserContext, Page } from 'playwright-core';

interface DomNode {
  nodeName: string;
  nodeValue?: string;
  children?: DomNode[];
  shadowRoots?: DomNode[];
}

/**
 * The text of Keyward's in-page notices: what its notice frames (extension pages framed in the page, which the page
 * cannot read; a test can) show, and the plain notice Keyward shows when its background cannot be reached (inside
 * a closed shadow root, which the DevTools protocol can enter with pierce: true).
 */
export async function keywardNoticeText(context: BrowserContext, page: Page): Promise<string> {
  const framed = await Promise.all(
    page
      .frames()
      .filter((frame) => frame.url().includes('/notice.html#'))
      .map((frame) => frame.evaluate(() => document.body.innerText).catch(() => '')),
  );
  return [...framed, await plainNoticeText(context, page)].join(' ').replace(/\s+/g, ' ').trim();
}

async function plainNoticeText(context: BrowserContext, page: Page): Promise<string> {
  const cdp = await context.newCDPSession(page);
  try {
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
    const texts: string[] = [];
    const walk = (node: DomNode, inNotice: boolean) => {
      const here = inNotice || node.nodeName === 'KEYWARD-NOTICE';
      if (here && node.nodeName === '#text' && node.nodeValue) texts.push(node.nodeValue);
      // Not into frames: a notice frame's document is read above, from the frame itself.
      if (node.nodeName === 'IFRAME') return;
      for (const child of [...(node.shadowRoots ?? []), ...(node.children ?? [])]) walk(child, here);
    };
    walk(root, false);
    return texts.filter((t) => !t.includes('{')).join(' ');
  } finally {
    await cdp.detach();
  }
}
