import type { BrowserContext, Page } from 'playwright-core';

interface DomNode {
  nodeName: string;
  nodeValue?: string;
  children?: DomNode[];
  shadowRoots?: DomNode[];
}

/**
 * The text of Keyward's in-page notices. They live in closed shadow roots, which neither the page nor Playwright's
 * locators can enter; the DevTools protocol can (pierce: true), which is what a test needs and a page has not.
 */
export async function keywardNoticeText(context: BrowserContext, page: Page): Promise<string> {
  const cdp = await context.newCDPSession(page);
  try {
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
    const texts: string[] = [];
    const walk = (node: DomNode, inNotice: boolean) => {
      const here = inNotice || node.nodeName === 'KEYWARD-NOTICE';
      if (here && node.nodeName === '#text' && node.nodeValue) texts.push(node.nodeValue);
      for (const child of [...(node.shadowRoots ?? []), ...(node.children ?? [])]) walk(child, here);
    };
    walk(root, false);
    return texts.filter((t) => !t.includes('{')).join(' ');
  } finally {
    await cdp.detach();
  }
}
