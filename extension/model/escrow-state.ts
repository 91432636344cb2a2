import type { Email } from '../../shared/identity';

/** Whether a key has a recoverable copy (escrow) on a keyserver. */
export type EscrowState =
  | { readonly escrowed: false }
  | { readonly escrowed: true; readonly address: Email; readonly keyserverUrl: string };
