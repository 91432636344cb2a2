import { isKeywardError, KeywardError } from '../../shared/errors';
import { Email } from '../../shared/identity';
import type { SiteRecipients } from '../model';
import type { ContactsStore } from './contacts-store';
import type { GroupsStore } from './groups-store';

export interface SiteRecipientsDeps {
  readonly contacts: ContactsStore;
  readonly groups: GroupsStore;
  /** The user's own addresses: never looked up as someone else. */
  readonly ownEmails: () => Promise<readonly string[]>;
}

/** One address a site's uploads go to, and why (a person, or a group it came from). */
interface Wanted {
  readonly email: Email;
  readonly via: string | null;
}

/**
 * Turns a site's recipients (groups plus people) into the keys an upload is encrypted to, besides the user's own:
 * every address once, the user's own addresses left out, each through the contacts keyring (pinned keys; see
 * contacts-store.ts). Any address without a usable key stops the upload with a message saying which and why.
 */
export function createSiteRecipients({ contacts, groups, ownEmails }: SiteRecipientsDeps) {
  async function wanted(recipients: SiteRecipients): Promise<Wanted[]> {
    const own = new Set(await ownEmails());
    const out = new Map<string, Wanted>();
    const add = (email: Email, via: string | null) => {
      if (!own.has(email) && !out.has(email)) out.set(email, { email, via });
    };
    for (const id of recipients.groups) {
      let group;
      try {
        group = await groups.get(id);
      } catch (error) {
        if (!isKeywardError(error, 'not_found')) throw error;
        throw new KeywardError(
          'not_found',
          "A group this site's uploads go to was deleted. Choose the recipients again in Keyward's toolbar popup.",
        );
      }
      for (const m of group.members) add(Email.parse(m.email), group.name);
    }
    for (const person of recipients.people) add(Email.parse(person), null);
    return [...out.values()];
  }

  return {
    /** The keys for an upload, looked up again now (fresh revocations and key changes), or an error. */
    async keysForUpload(recipients: SiteRecipients) {
      const list = await wanted(recipients);
      const keys = await contacts.recipientKeys(
        list.map((w) => w.email),
        { fresh: true },
      );
      return keys.map((k, i) => ({ ...k, label: label(k.userId, list[i]?.via ?? null) }));
    },

    /**
     * What the popup shows, from what is stored (no lookups): who uploads go to, and what would stop an upload.
     */
    async describe(recipients: SiteRecipients) {
      const list = await wanted(recipients);
      const encryptedFor: string[] = [];
      const problems: string[] = [];
      for (const w of list) {
        try {
          const [key] = await contacts.recipientKeys([w.email], { fresh: false });
          encryptedFor.push(label(key!.userId, w.via));
        } catch (error) {
          encryptedFor.push(label(`${w.email}, no key yet`, w.via));
          problems.push(
            isKeywardError(error, 'not_found')
              ? `No key is known yet for ${w.email}: an upload looks for one and uploads nothing if none is published.`
              : error instanceof Error
                ? error.message
                : String(error),
          );
        }
      }
      return { encryptedFor, problems };
    },
  };
}

function label(who: string, via: string | null): string {
  return via ? `${who} (${via})` : who;
}

export type SiteRecipientsResolver = ReturnType<typeof createSiteRecipients>;
