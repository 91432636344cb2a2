// A real upload widget from npm: Dropzone, which uploads with XMLHttpRequest from its own hidden input.
import Dropzone from 'dropzone';
import { log } from '../upload/upload.js';

Dropzone.autoDiscover = false;
const zone = new Dropzone('#dropzone', { url: '/upload?via=dropzone', paramName: 'file' });
zone.on('success', (file) => log(`dropzone: uploaded ${file.name} (${file.size} bytes)`));
zone.on('error', (file, message) => log(`dropzone: error ${String(message)}`));
