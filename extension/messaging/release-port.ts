/**
 * The port the decrypt page opens to release one file to a service: first the service's key is looked up and
 * shown to the user, then (on a second click) the file is shared with exactly that key. Only the decrypt page
 * may open it (extension/downloads/release-service.ts checks the sender).
 */
export const RELEASE_PORT = 'keyward-release';

export type ReleaseRequest =
  | { readonly kind: 'lookup'; readonly address: string }
  /** `fingerprint` is the key the user was shown: a different key now for the address is refused. */
  | {
      readonly kind: 'share';
      readonly file: File;
      readonly address: string;
      readonly fingerprint: string;
    };

export type ReleaseReport =
  | {
      readonly kind: 'found';
      readonly address: string;
      readonly fingerprint: string;
      readonly userId: string;
    }
  /** The copy: the same encrypted contents, with one more key packet, for the service's key. */
  | { readonly kind: 'shared'; readonly file: File; readonly added: boolean }
  | { readonly kind: 'locked'; readonly userId: string }
  | {
      readonly kind: 'failed';
      /** no-key: nothing published and verified for the address; unavailable: no source could be asked. */
      readonly reason: 'no-key' | 'unavailable' | 'key-changed' | 'unusable' | 'refused';
      readonly message: string;
    };
