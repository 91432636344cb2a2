/** What the popup says about the current tab's site. Per-site encryption arrives with upload interception. */
export function siteText(url: string | undefined): string {
  if (url === undefined || !URL.canParse(url)) return 'Keyward cannot see this tab’s address.';
  const { protocol, host } = new URL(url);
  if (protocol !== 'https:' && protocol !== 'http:')
    return 'This is a browser page; Keyward does nothing here.';
  return `${host}: uploads on this site are not encrypted by Keyward.`;
}
