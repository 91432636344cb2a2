import type { AcceptorEnd } from '../messaging/channel';
import type { NoticeContent, noticeChannel, NoticeState } from '../messaging/notice-channel';

type NoticeFrame = AcceptorEnd<typeof noticeChannel>;

/** How long a notice waits for its frame, and how long its text is kept for it. */
const NOTICE_LIFETIME_MS = 10 * 60 * 1000;

export interface NoticeBoardDeps {
  /** Only Keyward's own notice page may read a notice. */
  readonly extensionId: string;
  readonly newId: () => string;
  readonly securityPhrase: () => Promise<string>;
  readonly now: () => number;
}

interface Notice {
  content?: NoticeContent;
  viewer?: NoticeFrame;
  /** The frame asked before this notice had anything to say. */
  claimed: boolean;
  readonly expires: number;
}

/**
 * What Keyward's in-page notices say. A content script gets a notice id and frames `notice.html#<id>` in the page;
 * the frame (an extension page, which the page can neither read nor script) asks for that notice here and is told
 * its text, with the user's security phrase. One frame per notice: a second frame presenting the same id (a page
 * that somehow learnt it and framed it itself) is told nothing.
 */
export function createNoticeBoard(deps: NoticeBoardDeps) {
  const notices = new Map<string, Notice>();

  function sweep(): void {
    const now = deps.now();
    for (const [id, notice] of notices) if (notice.expires < now) notices.delete(id);
  }

  return {
    /** A new, empty notice; its id goes to the content script that will frame it. */
    open(): string {
      sweep();
      const id = deps.newId();
      notices.set(id, { claimed: false, expires: deps.now() + NOTICE_LIFETIME_MS });
      return id;
    },

    /** Sets what a notice says (its frame sees it at once, or when it connects). */
    async show(id: string, state: NoticeState, text: string, fraction?: number): Promise<void> {
      const notice = notices.get(id);
      if (!notice) return;
      const content: NoticeContent = {
        kind: 'notice',
        state,
        text,
        securityPhrase: await deps.securityPhrase(),
        ...(fraction === undefined ? {} : { fraction }),
      };
      notice.content = content;
      notice.viewer?.post(content);
    },

    /** A notice frame connected: it may see the notice it names, once. */
    serve: (port: NoticeFrame): void => {
      if (!isNoticePage(port.sender, deps.extensionId)) {
        port.disconnect();
        return;
      }
      port.onMessage(({ id }) => {
        const notice = notices.get(id);
        if (!notice || notice.claimed) {
          port.disconnect();
          return;
        }
        notice.claimed = true;
        notice.viewer = port;
        port.onDisconnect(() => notices.delete(id));
        if (notice.content) port.post(notice.content);
      });
    },
  };
}

export type NoticeBoard = ReturnType<typeof createNoticeBoard>;

/**
 * Keyward's notice page, framed in a web page. In Chromium it is loaded from the extension's per-session dynamic
 * address (so pages cannot probe for Keyward by its fixed id), which is why the path and scheme are checked rather
 * than the base URL.
 */
function isNoticePage(sender: NoticeFrame['sender'], extensionId: string): boolean {
  if (sender?.id !== extensionId || sender.url === undefined || !URL.canParse(sender.url)) return false;
  const url = new URL(sender.url);
  return (
    (url.protocol === 'chrome-extension:' || url.protocol === 'moz-extension:') &&
    url.pathname === '/notice.html'
  );
}
