import '../../ui/styles.css';
import { wirePicker } from '../../ui/picker/picker-view';

// Wiring only: Keyward's own file picker for sites in strict mode (extension/upload/upload-service.ts).
wirePicker(document, window);
