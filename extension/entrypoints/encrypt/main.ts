import '../../ui/styles.css';
import { mountEncryptPage } from '../../ui/encrypt/encrypt-view';

// Wiring only: see extension/ui/encrypt/encrypt-view.ts.
mountEncryptPage();
