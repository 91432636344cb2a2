/**
 * The background tells a protected frame that one of its child frames started to load (it sees every frame's
 * navigation; the frame itself cannot see a frame added inside a closed shadow root). See
 * extension/intercept/frame-guard.ts.
 */
export interface ChildFrameNavigating {
  readonly type: 'keyward.childFrameNavigating';
}

export function isChildFrameNavigating(message: unknown): message is ChildFrameNavigating {
  return (message as Partial<ChildFrameNavigating> | null)?.type === 'keyward.childFrameNavigating';
}
