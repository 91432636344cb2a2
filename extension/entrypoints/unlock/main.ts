import '../../ui/styles.css';
import { wireUnlockPrompt } from '../../ui/unlock/unlock-prompt';

// Wiring only: the window Keyward opens when an upload needs the locked key (extension/upload/upload-service.ts).
wireUnlockPrompt(document.location.hash);
