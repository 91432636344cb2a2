import '../../ui/styles.css';
import { mountPicker } from '../../ui/picker/picker-view';

// Wiring only: Keyward's own file picker for sites in strict mode (extension/upload/upload-service.ts).
mountPicker(document, window);
