import '../../ui/styles.css';
import { wireDecryptPage } from '../../ui/decrypt/decrypt-view';

// Wiring only: see extension/ui/decrypt/decrypt-view.ts.
wireDecryptPage(document);
