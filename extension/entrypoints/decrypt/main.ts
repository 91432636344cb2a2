import '../../ui/styles.css';
import { mountDecryptPage } from '../../ui/decrypt/decrypt-view';

// Wiring only: see extension/ui/decrypt/decrypt-view.ts.
mountDecryptPage(document);
