import { openChannel } from '../../messaging/runtime-channels';
import { noticeChannel } from '../../messaging/notice-channel';
import { requiredElement } from '../required-element';

/**
 * The in-page notice's own page (notice.html#<id>): an extension page framed in the web page, which the page can
 * neither read nor script. It shows what the background says about its notice, with the security phrase.
 */
export function mountNotice(doc: Document): void {
  const notice = requiredElement('notice', HTMLElement);
  const phrase = requiredElement('phrase', HTMLSpanElement);
  const text = requiredElement('text', HTMLDivElement);
  const bar = requiredElement('bar', HTMLDivElement);
  const fill = requiredElement('fill', HTMLSpanElement);
  const port = openChannel(noticeChannel);
  port.onMessage((content) => {
    notice.className = content.state;
    phrase.textContent = `“${content.securityPhrase}”`;
    text.textContent = content.text;
    bar.hidden = content.fraction === undefined;
    fill.style.width = `${Math.round(Math.min(1, Math.max(0, content.fraction ?? 0)) * 100)}%`;
  });
  port.post({ kind: 'hello', id: doc.location.hash.slice(1) });
}
