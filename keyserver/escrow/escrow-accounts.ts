import type { Email, Fingerprint } from '../../shared/identity';
import { escrowReleaseMail } from '../mail/escrow-mail-texts';
import type { EscrowAccount, EscrowSession } from '../store/escrow-ports';
import type { EscrowDeps } from './escrow-deps';
import { escrowError } from '../../shared/escrow/escrow-api';
import { newBearer, sha256Hex } from './escrow-secrets';
import type { OneTimeCodes } from './one-time-codes';
import type { OpaqueLogin } from './opaque-login';

export interface NewAccount {
  address: Email;
  code: string;
  registrationRecord: string;
  profile: string;
  fingerprint: Fingerprint;
  escrow: string;
  recoveryVerifier: string;
}

export interface EscrowUpdate {
  expectedVersion: number;
  escrow: string;
  registrationRecord?: string | undefined;
  profile?: string | undefined;
  recoveryVerifier?: string | undefined;
}

export interface Release {
  escrow: string;
  version: number;
  profile: string;
  fingerprint: Fingerprint;
  deviceToken?: string;
}

/** Escrow records: create (address proven by a mailed code), release, compare-and-swap update, delete. */
export function createEscrowAccounts(deps: EscrowDeps, codes: OneTimeCodes, login: OpaqueLogin) {
  const accounts = deps.store.escrow.accounts;
  const now = () => deps.clock.now().getTime();

  async function accountOf(session: EscrowSession): Promise<EscrowAccount> {
    const account = await accounts.get(session.address);
    if (!account) throw escrowError('unauthorized', 'There is no key backup for this address any more.');
    return account;
  }

  return {
    async create(a: NewAccount): Promise<{ version: number; deviceToken: string }> {
      login.checkRecord(a.address, a.registrationRecord);
      if (!(await codes.consume(a.address, 'register', a.code))) {
        throw escrowError(
          'code_invalid',
          'The code is wrong, was already used or has expired; ask for a new one.',
        );
      }
      const device = newBearer();
      const created = await accounts.create(
        {
          address: a.address,
          registrationRecord: a.registrationRecord,
          profile: a.profile,
          fingerprint: a.fingerprint,
          escrow: a.escrow,
          recoveryVerifierHash: sha256Hex(a.recoveryVerifier),
          createdAt: now(),
          updatedAt: now(),
        },
        device.hash,
      );
      if (!created) throw escrowError('account_exists', 'This address already has a key backup.');
      deps.log.info({ fingerprint: a.fingerprint }, 'escrow account created');
      return { version: 1, deviceToken: device.token };
    },

    /** A known device needs only the session; a new one also a "release" code, and the holder is told by mail. */
    async fetch(
      session: EscrowSession,
      proof: { deviceToken?: string | undefined; code?: string | undefined },
      client: { ip: string },
    ): Promise<Release> {
      const account = await accountOf(session);
      const release = {
        escrow: account.escrow,
        version: account.version,
        profile: account.profile,
        fingerprint: account.fingerprint,
      };
      const record = { address: account.address, at: now(), kind: 'passphrase', client: client.ip } as const;
      if (proof.deviceToken && (await accounts.hasDevice(account.address, sha256Hex(proof.deviceToken)))) {
        await deps.store.escrow.releases.record({ ...record, newDevice: false });
        return release;
      }
      if (proof.code === undefined) {
        throw escrowError('code_required', 'This device never held the key: enter the code mailed to you.');
      }
      if (!(await codes.consume(account.address, 'release', proof.code))) {
        throw escrowError(
          'code_invalid',
          'The code is wrong, was already used or has expired; ask for a new one.',
        );
      }
      const device = newBearer();
      await accounts.addDevice(account.address, device.hash, now());
      await deps.store.escrow.releases.record({ ...record, newDevice: true });
      mailRelease(deps, account, 'passphrase');
      return { ...release, deviceToken: device.token };
    },

    async update(session: EscrowSession, u: EscrowUpdate): Promise<{ version: number }> {
      if (u.registrationRecord !== undefined) login.checkRecord(session.address, u.registrationRecord);
      const version = await accounts.update(session.address, u.expectedVersion, {
        escrow: u.escrow,
        registrationRecord: u.registrationRecord,
        profile: u.profile,
        recoveryVerifierHash: u.recoveryVerifier === undefined ? undefined : sha256Hex(u.recoveryVerifier),
        updatedAt: now(),
      });
      if (version === null) {
        const current = await accountOf(session);
        throw escrowError(
          'stale',
          `The backup changed meanwhile (now version ${current.version}); read it again.`,
        );
      }
      return { version };
    },

    async delete(session: EscrowSession): Promise<void> {
      await accounts.delete(session.address);
      await deps.store.escrow.sessions.revokeAll(session.address);
      deps.log.info('escrow account deleted');
    },
  };
}

export function mailRelease(deps: EscrowDeps, account: EscrowAccount, kind: 'passphrase' | 'recovery'): void {
  const at = deps.clock.now();
  deps.log.info({ fingerprint: account.fingerprint, kind }, 'escrow released to a new device');
  deps.background.run('escrow-release-mail', async () => {
    const mail = escrowReleaseMail({
      baseUrl: deps.config.BASE_URL,
      email: account.address,
      fingerprint: account.fingerprint,
      kind,
      at,
    });
    await deps.mailQueue.enqueue({ to: account.address, ...mail });
  });
}

export type EscrowAccounts = ReturnType<typeof createEscrowAccounts>;
