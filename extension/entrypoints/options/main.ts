import '../../ui/styles.css';
import { startOptionsPage } from '../../ui/options/options-page';

startOptionsPage();
