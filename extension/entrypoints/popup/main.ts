import '../../ui/styles.css';
import { startKeyStatus } from '../../ui/popup/popup-view';
import { startSiteSection } from '../../ui/popup/site-section';

startKeyStatus();
startSiteSection();
