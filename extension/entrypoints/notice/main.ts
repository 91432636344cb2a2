import { mountNotice } from '../../ui/notice/notice-view';

// Wiring only: Keyward's in-page notice, framed in web pages by the content script (extension/intercept).
mountNotice(document);
