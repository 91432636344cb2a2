import '../../ui/styles.css';
import { mountOptionsPage } from '../../ui/options/options-page';

mountOptionsPage();
