/** The port the decrypt page opens to have a file decrypted by the background (files cross by structured clone). */
export const DECRYPT_PORT = 'keyward-decrypt';

export type DecryptRequest =
  | { readonly kind?: 'decrypt'; readonly file: File }
  /** Share later: the same file with one more key packet per new recipient; its body is not re-encrypted. */
  | {
      readonly kind: 'share';
      readonly file: File;
      readonly groups: readonly string[];
      readonly people: readonly string[];
    };

export type DecryptReport =
  | { readonly kind: 'progress'; readonly done: number; readonly total: number }
  /** The file is for one of the user's keys, which is locked: unlock it, then ask again. */
  | { readonly kind: 'locked'; readonly fingerprint: string; readonly userId: string }
  | {
      readonly kind: 'done';
      readonly file: File;
      readonly decryptedWith: string;
      /** Everyone it is encrypted to, by name where Keyward knows the key, else by key id. */
      readonly encryptedTo: readonly string[];
      readonly encryption: string;
      /** Who signed it, in words: "signed by Alice <…>", "not signed", or a key Keyward does not know. */
      readonly signature: string;
    }
  /**
   * Not a file Keyward can decrypt, and not a damaged one: not encrypted at all (a public key, a signature) or for
   * someone else's key. A download is then saved as it is.
   */
  | { readonly kind: 'not-for-me'; readonly message: string }
  /** Share later done: the new file, and who was added (people already able to read it are left out). */
  | { readonly kind: 'shared'; readonly file: File; readonly added: readonly string[] }
  | { readonly kind: 'failed'; readonly message: string };
