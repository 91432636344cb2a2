import '../../ui/styles.css';
import { mountKeyStatus } from '../../ui/popup/popup-view';
import { mountSiteSection } from '../../ui/popup/site-section';

mountKeyStatus();
mountSiteSection();
