import type { z } from 'zod';
import { type Settings } from '../../model';
import { protocol } from '../../messaging/protocol';

export type SettingsField = keyof Settings;

export type ParsedSettings =
  | { readonly ok: true; readonly settings: Settings }
  | { readonly ok: false; readonly errors: Partial<Record<SettingsField, string>> };

/**
 * Checks the settings form with the protocol's own schema (the background checks the same one), so each mistake
 * is shown next to its field in words, before anything is sent.
 */
export function parseSettingsInput(input: Record<SettingsField, string>): ParsedSettings {
  const minutes = input.autoLockMinutes.trim();
  const result = protocol['settings.update'].request.safeParse({
    keyserverUrl: input.keyserverUrl.trim(),
    autoLockMinutes: /^\d{1,6}$/.test(minutes) ? Number(minutes) : Number.NaN,
    securityPhrase: input.securityPhrase,
    lookupOrder: input.lookupOrder
      .split(',')
      .map((source) => source.trim())
      .filter((source) => source.length > 0),
  });
  if (result.success) return { ok: true, settings: result.data as Settings };
  const errors: Partial<Record<SettingsField, string>> = {};
  for (const issue of result.error.issues) {
    const field = issue.path[0] as SettingsField;
    errors[field] ??= messageFor(field, issue);
  }
  return { ok: false, errors };
}

function messageFor(field: SettingsField, issue: z.core.$ZodIssue): string {
  switch (field) {
    case 'keyserverUrl':
      return issue.message.includes('https://')
        ? 'A keyserver on another machine needs an https:// address.'
        : 'Enter the keyserver’s address, such as https://keys.example.org.';
    case 'autoLockMinutes':
      return 'Enter a whole number of minutes from 1 to 1440 (one day).';
    case 'securityPhrase':
      return 'Enter a phrase of 1 to 64 characters.';
    case 'lookupOrder':
      return 'Choose where to look up other people’s keys.';
  }
}
