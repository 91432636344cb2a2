import { z } from 'zod';
import { createEscrowClient, type CodePurpose } from '../../shared/escrow';
import { hasReason, isKeywardError, KeywardError } from '../../shared/errors';
import { Email, emailSchema } from '../../shared/identity';
import type { EscrowState, VaultKey } from '../model';
import type { StorageArea } from '../platform/storage';
import type { Vault } from '../vault/vault';
import type { KeyWork } from '../vault/key-work';

const recordSchema = z.object({ address: emailSchema, keyserverUrl: z.string(), deviceToken: z.string() });
type EscrowRecord = z.infer<typeof recordSchema>;
const recordKey = (fingerprint: string) => `escrow.${fingerprint}`;

export interface EscrowServiceDeps {
  readonly vault: Vault;
  readonly keyWork: KeyWork;
  readonly local: StorageArea;
  readonly keyserverUrl: () => Promise<string>;
}

/**
 * The escrow as the extension uses it (docs/escrow.md): escrow a key on the configured keyserver, get a key back
 * on a new device (passphrase + mailed code, or recovery code + mailed code), and keep the escrow's passphrase in
 * step with the vault's. The passphrase work runs in KeyWork (the offscreen document in Chromium). Which keys are
 * escrowed, where and with which device token is remembered per key in storage.local.
 */
export function createEscrowService({ vault, keyWork, local, keyserverUrl }: EscrowServiceDeps) {
  async function record(fingerprint: string): Promise<EscrowRecord | null> {
    const parsed = recordSchema.safeParse(await local.get(recordKey(fingerprint)));
    return parsed.success ? parsed.data : null;
  }
  const remember = (fingerprint: string, r: EscrowRecord) => local.set({ [recordKey(fingerprint)]: r });

  /** Imports an unlocked key from an escrow, locked with `passphrase`; the same key already there is merged. */
  async function intoVault(unlocked: string, passphrase: string): Promise<VaultKey> {
    const [key] = await vault.import(unlocked, undefined, passphrase);
    if (!key) throw new KeywardError('unavailable', 'The escrow held no key.');
    return key;
  }

  return {
    async state(fingerprint: string): Promise<EscrowState> {
      const r = await record(fingerprint);
      return r ? { escrowed: true, address: r.address, keyserverUrl: r.keyserverUrl } : { escrowed: false };
    },

    async requestCode(address: string, purpose: CodePurpose): Promise<void> {
      const client = createEscrowClient({
        fetch: (i, o) => fetch(i, o),
        baseUrl: await keyserverUrl(),
        now: () => new Date(),
      });
      await client.requestCode(Email.parse(address), purpose);
    },

    /**
     * Escrows one of the user's keys under its first address. The passphrase must be the key's own (checked by
     * unlocking it), so one passphrase opens both. Returns the recovery code, shown once.
     */
    async create(fingerprint: string, passphrase: string, code: string): Promise<{ recoveryPhrase: string }> {
      const key = (await vault.list()).find((k) => k.fingerprint === fingerprint);
      const address = key?.emails[0];
      if (!key || !address)
        throw new KeywardError('invalid_input', 'This key has no address to escrow it under.');
      await vault.unlock(fingerprint, passphrase); // wrong passphrase: forbidden, with the vault's delays
      const { key: unlocked } = await vault.use(fingerprint);
      const baseUrl = await keyserverUrl();
      const created = await keyWork.escrowCreate(baseUrl, {
        address,
        code,
        passphrase,
        key: unlocked,
        fingerprint,
      });
      await remember(fingerprint, { address, keyserverUrl: baseUrl, deviceToken: created.deviceToken });
      return { recoveryPhrase: created.recoveryPhrase };
    },

    /** "I already have a Keyward key": address + passphrase (+ the mailed code on a device new to the key). */
    async restore(address: string, passphrase: string, code?: string): Promise<VaultKey> {
      const baseUrl = await keyserverUrl();
      const email = Email.parse(address);
      const restored = await keyWork.escrowRestore(baseUrl, {
        address: email,
        passphrase,
        ...(code ? { code } : {}),
      });
      const key = await intoVault(restored.key, passphrase);
      if (restored.deviceToken) {
        await remember(key.fingerprint, {
          address: email,
          keyserverUrl: baseUrl,
          deviceToken: restored.deviceToken,
        });
      }
      return key;
    },

    /** Recovery code + mailed code; the key comes back under a new passphrase, with a new recovery code. */
    async recover(address: string, recoveryPhrase: string, code: string, newPassphrase: string) {
      const baseUrl = await keyserverUrl();
      const email = Email.parse(address);
      const recovered = await keyWork.escrowRecover(baseUrl, {
        address: email,
        recoveryPhrase,
        code,
        newPassphrase,
      });
      const key = await intoVault(recovered.key, newPassphrase);
      await remember(key.fingerprint, {
        address: email,
        keyserverUrl: baseUrl,
        deviceToken: recovered.deviceToken,
      });
      return { key, recoveryPhrase: recovered.recoveryPhrase };
    },

    /**
     * A passphrase change of an escrowed key changes the escrow first (only its passphrase packet), then the
     * vault: if the keyserver cannot be reached, nothing changes and the user is told.
     */
    async changePassphrase(
      fingerprint: string,
      oldPassphrase: string,
      newPassphrase: string,
    ): Promise<'updated' | 'not-escrowed' | 'differs'> {
      const r = await record(fingerprint);
      if (!r) return 'not-escrowed';
      try {
        await keyWork.escrowChangePassphrase(r.keyserverUrl, {
          address: r.address,
          oldPassphrase,
          newPassphrase,
          deviceToken: r.deviceToken,
        });
        return 'updated';
      } catch (error) {
        // The copy's passphrase was changed on another device (a recovery there): this device's passphrase is
        // still changed, and the copy keeps the other one. Down or limiting: nothing changes (rethrown).
        if (isKeywardError(error, 'forbidden') && !hasReason(error, 'code_required')) return 'differs';
        throw error;
      }
    },

    /** Opting out: the keyserver's copy is deleted (a login with the key's passphrase proves it is the user's). */
    async remove(fingerprint: string, passphrase: string): Promise<void> {
      const r = await record(fingerprint);
      if (!r) throw new KeywardError('not_found', 'This key has no recoverable copy on a keyserver.');
      await keyWork.escrowDelete(r.keyserverUrl, { address: r.address, passphrase });
      await local.remove(recordKey(fingerprint));
    },

    forget: (fingerprint: string) => local.remove(recordKey(fingerprint)),
  };
}

export type EscrowService = ReturnType<typeof createEscrowService>;
