import * as openpgp from 'openpgp';

export interface TestKey {
  publicArmored: string;
  privateArmored: string;
  fingerprint: string;
}

/**
 * A fresh unlocked v4 Ed25519/X25519 key (fast), or v6 when asked, for keyserver tests. It has one encryption
 * subkey, and a signing subkey after it with `signingSubkey`.
 */
export async function makeTestKey(
  userIds: { name?: string; email: string }[],
  version: 4 | 6 = 4,
  options: { signingSubkey?: boolean } = {},
): Promise<TestKey> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: version === 6 ? 'curve25519' : 'ecc',
    curve: version === 6 ? undefined : 'ed25519Legacy',
    userIDs: userIds,
    subkeys: options.signingSubkey ? [{}, { sign: true }] : [{}],
    format: 'armored',
    config: { v6Keys: version === 6 },
  });
  const key = await openpgp.readKey({ armoredKey: publicKey });
  return {
    publicArmored: publicKey,
    privateArmored: privateKey,
    fingerprint: key.getFingerprint().toUpperCase(),
  };
}

/** The same key's public part with one more user id, self-signed (as a user updating their key would upload). */
export async function addUserId(
  privateArmored: string,
  userId: { name?: string; email: string },
): Promise<TestKey> {
  const privateKey = await openpgp.readPrivateKey({ armoredKey: privateArmored });
  const existing = privateKey.users.map((u) => ({ name: u.userID?.name, email: u.userID?.email ?? '' }));
  const { privateKey: updated } = await openpgp.reformatKey({
    privateKey,
    userIDs: [...existing, userId],
    format: 'object',
  });
  return {
    publicArmored: updated.toPublic().armor(),
    privateArmored: updated.armor(),
    fingerprint: updated.getFingerprint().toUpperCase(),
  };
}

export async function revokeKey(privateArmored: string): Promise<string> {
  const privateKey = await openpgp.readPrivateKey({ armoredKey: privateArmored });
  const { publicKey } = await openpgp.revokeKey({ key: privateKey, format: 'armored' });
  return publicKey;
}

/** The key's public part with the user id for `email` revoked (RFC 9580 §5.2.1.14), as a user would upload it. */
export async function revokeUserId(privateArmored: string, email: string): Promise<string> {
  const privateKey = await openpgp.readPrivateKey({ armoredKey: privateArmored });
  const index = privateKey.users.findIndex((u) => u.userID?.email === email);
  if (index < 0) throw new Error(`no user id for ${email}`);
  privateKey.users[index] = await privateKey.users[index]!.revoke(
    privateKey.keyPacket as openpgp.SecretKeyPacket,
    {
      flag: openpgp.enums.reasonForRevocation.userIDInvalid,
    },
  );
  return privateKey.toPublic().armor();
}

export async function userIdsOf(armored: string): Promise<string[]> {
  const key = await openpgp.readKey({ armoredKey: armored });
  return key.users.filter((u) => u.userID).map((u) => u.userID!.userID);
}

/** The fingerprints of a key's subkeys, upper-case, in the key's order. */
export async function subkeyFingerprintsOf(armored: string): Promise<string[]> {
  const key = await openpgp.readKey({ armoredKey: armored });
  return key.subkeys.map((s) => s.getFingerprint().toUpperCase());
}
