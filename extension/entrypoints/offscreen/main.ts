import { connectPort } from '../../platform/ports';
import { createInProcessKeyWork } from '../../vault/key-work';
import { KEY_WORK_PORT } from '../../vault/key-work-protocol';
import { serveKeyWork } from '../../vault/key-work-server';

// Wiring only: connect to the background and run key work for it until the background closes this document.
serveKeyWork(connectPort(KEY_WORK_PORT), createInProcessKeyWork());
