import type { Email, Fingerprint } from '../../shared/identity';

/** A named recipient list ("Design team"); members by address, with the fingerprint expected for each if known. */
export interface Group {
  readonly id: string;
  readonly name: string;
  readonly members: readonly { readonly email: Email; readonly fingerprint?: Fingerprint }[];
}
