/**
 * Events Keyward dispatches itself (the encrypted file put back into an input, a re-created drop or paste). Kept in a
 * WeakSet rather than marked in the DOM, so a page can neither see the mark nor forge it: its own synthetic events
 * are never in the set and are intercepted like any other (extension.md, "Upload interception").
 */
export interface OwnEvents {
  dispatch(target: EventTarget, event: Event): boolean;
  has(event: Event): boolean;
}

export function createOwnEvents(): OwnEvents {
  const own = new WeakSet<Event>();
  return {
    dispatch(target, event) {
      own.add(event);
      return target.dispatchEvent(event);
    },
    has: (event) => own.has(event),
  };
}
