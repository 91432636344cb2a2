import { z } from 'zod';
import { defineChannel } from './channel';

/**
 * The background tells a protected frame that one of its child frames started to load (it sees every frame's
 * navigation; the frame itself cannot see a frame added inside a closed shadow root). See
 * extension/intercept/frame-guard.ts. Nothing is answered.
 */
export const childFrameChannel = defineChannel({
  name: 'keyward.childFrameNavigating',
  fromOpener: z.strictObject({ type: z.literal('keyward.childFrameNavigating') }),
  fromAcceptor: z.undefined(),
});
