/** How encrypted uploads are named: `name.ext.pgp` (default), `name.ext.gpg`, or the original name unchanged. */
export const OUTPUT_NAMES = ['pgp', 'gpg', 'same'] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];

/** Who a site's uploads go to besides the user's own key: groups by id, people by address. */
export interface SiteRecipients {
  readonly groups: readonly string[];
  readonly people: readonly string[];
}

/** A site's upload options. */
export interface SiteOptions {
  /** Keyward's own file picker opens instead of the page's, so page scripts never hold the plaintext File. */
  readonly strict: boolean;
  readonly outputName: OutputName;
  /**
   * Files GnuPG can open: SEIPDv1 even when every recipient's key reads SEIPDv2 (GnuPG 2.2 and 2.4 read only
   * SEIPDv1). Such a file is checked only at its end, so large ones are slower to open in Keyward.
   */
  readonly forGnuPG: boolean;
  /** Who else uploads are encrypted for; the user's own key always is. */
  readonly recipients: SiteRecipients;
}

/** Whether Keyward encrypts uploads on a site (an origin such as `https://files.example.com`), and how. */
export interface SiteState extends SiteOptions {
  readonly origin: string;
  readonly enabled: boolean;
  /** Who uploads there are encrypted for, as people read it ("you (Alice <…>)", "Bob <…> (Design team)"). */
  readonly encryptedFor: readonly string[];
  /** What would stop an upload there now (a missing, revoked or changed key); empty when all is well. */
  readonly recipientProblems: readonly string[];
}
