import type { SiteState } from '../../model';

/** What the popup says about the current tab's site. */
export function siteText(url: string | undefined, state?: SiteState): string {
  if (url === undefined || !URL.canParse(url)) return 'Keyward cannot see this tab’s address.';
  const { protocol, host } = new URL(url);
  if (protocol !== 'https:' && protocol !== 'http:')
    return 'This is a browser page; Keyward does nothing here.';
  if (state?.enabled) {
    const who =
      state.encryptedFor.length > 0 ? state.encryptedFor.join(', ') : 'nobody yet (set up your key)';
    const named = state.outputName === 'same' ? 'keeping their names' : `as name.ext.${state.outputName}`;
    const picker = state.strict ? ' Files are chosen in Keyward’s own picker.' : '';
    const gnupg = state.forGnuPG ? ' GnuPG can open them.' : '';
    return `${host}: uploads are encrypted for ${who}, ${named}.${picker}${gnupg}`;
  }
  return `${host}: uploads on this site are not encrypted by Keyward.`;
}
