import '../../ui/styles.css';
import { mountUnlockPrompt } from '../../ui/unlock/unlock-prompt';

// Wiring only: the window Keyward opens when an upload needs the locked key (extension/upload/upload-service.ts).
mountUnlockPrompt(document.location.hash);
