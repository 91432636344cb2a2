import { describe, expect, it } from 'vitest';
import { parseLinkHeader, readReleaseAdvert } from './release-target';

const DOWNLOAD = 'https://records.example/records/abc/record.json.pgp';
const link = (target: string, extra = '; address="records@records.example"') =>
  `<${target}>; rel="keyward-release"${extra}`;

describe('the release endpoint a download advertises (Link: rel="keyward-release")', () => {
  it('reads a relative target on the download origin, with the address', () => {
    expect(readReleaseAdvert(link('/records/abc/release'), DOWNLOAD)).toEqual({
      kind: 'target',
      target: {
        url: 'https://records.example/records/abc/release',
        address: 'records@records.example',
        host: 'records.example',
      },
    });
  });

  it('finds it among other links, with rel lists, token parameters and commas inside quotes and targets', () => {
    const header =
      '<https://records.example/a,b>; rel="next"; title="x, y", ' +
      '</r/release?x=1,2>; rel="alternate keyward-release"; address=Records@Records.Example; title="a;b"';
    expect(readReleaseAdvert(header, DOWNLOAD)).toMatchObject({
      kind: 'target',
      target: { url: 'https://records.example/r/release?x=1,2', address: 'records@records.example' },
    });
  });

  it('no header, or no link with the relation: nothing is offered', () => {
    expect(readReleaseAdvert(null, DOWNLOAD)).toEqual({ kind: 'none' });
    expect(readReleaseAdvert('</x>; rel="next"', DOWNLOAD)).toEqual({ kind: 'none' });
    expect(readReleaseAdvert('</x>; rel="keyward-release-not"', DOWNLOAD)).toEqual({ kind: 'none' });
  });

  it('http is accepted on this machine only (a local service such as the records example)', () => {
    expect(
      readReleaseAdvert(link('/release'), 'http://127.0.0.1:8090/records/a/record.json.pgp'),
    ).toMatchObject({
      kind: 'target',
      target: { url: 'http://127.0.0.1:8090/release', host: '127.0.0.1:8090' },
    });
    expect(readReleaseAdvert(link('/release'), 'http://localhost:8090/f.pgp')).toMatchObject({
      kind: 'target',
    });
  });

  it('the fragment of the target is dropped', () => {
    expect(readReleaseAdvert(link('/release#x'), DOWNLOAD)).toMatchObject({
      target: { url: 'https://records.example/release' },
    });
  });

  describe('attacks: a hostile service or page steering the copy elsewhere', () => {
    it.each([
      ['a release URL on another origin', link('https://evil.example/collect')],
      ['a release URL on another port of the same host', link('https://records.example:8443/release')],
      ['a release URL on a subdomain', link('https://api.records.example/release')],
      ['a scheme-relative URL to another host', link('//evil.example/release')],
    ])('%s is refused', (_what, header) => {
      const advert = readReleaseAdvert(header, DOWNLOAD);
      expect(advert.kind).toBe('refused');
      expect(advert).toMatchObject({ problem: expect.stringContaining('on another site') as string });
    });

    it('a download served after a redirect from another origin: its release URL is refused', () => {
      // The link names the download's origin, but the response came from elsewhere (who answered decides).
      expect(
        readReleaseAdvert(
          link('https://records.example/release'),
          DOWNLOAD,
          'https://evil.example/record.json.pgp',
        ).kind,
      ).toBe('refused');
    });

    it.each([
      ['plain http to a host on the network', 'http://records.example/f.pgp', link('/release')],
      ['a javascript: URL', DOWNLOAD, link('javascript:alert(1)')],
      ['a data: URL', DOWNLOAD, link('data:text/plain,x')],
      ['a blob: URL', DOWNLOAD, link('blob:https://records.example/1')],
      ['credentials in the URL', DOWNLOAD, link('https://user:pw@records.example/release')],
    ])('%s is refused', (_what, download, header) => {
      expect(readReleaseAdvert(header, download).kind).toBe('refused');
    });

    it.each([
      ['no address', link('/release', '')],
      ['an address that is not one', link('/release', '; address="not an address"')],
      ['an address with a display name to mislead', link('/release', '; address="Bank <x@evil.example>"')],
    ])('%s is refused', (_what, header) => {
      expect(readReleaseAdvert(header, DOWNLOAD)).toMatchObject({
        kind: 'refused',
        problem: expect.stringContaining('e-mail address') as string,
      });
    });

    it('two release links (which one would the user be shown?) are refused', () => {
      const header = `${link('/a')}, ${link('/b', '; address="other@records.example"')}`;
      expect(readReleaseAdvert(header, DOWNLOAD)).toMatchObject({
        kind: 'refused',
        problem: expect.stringContaining('more than one') as string,
      });
    });

    it('a malformed header is refused, not half read', () => {
      expect(readReleaseAdvert('</release; rel="keyward-release"', DOWNLOAD).kind).toBe('refused');
      expect(readReleaseAdvert('</r>; rel="keyward-release; address="a@b.example"', DOWNLOAD).kind).toBe(
        'refused',
      );
    });

    it('a second address parameter does not replace the first', () => {
      const header = link('/release', '; address="records@records.example"; address="x@evil.example"');
      expect(readReleaseAdvert(header, DOWNLOAD)).toMatchObject({
        target: { address: 'records@records.example' },
      });
    });
  });
});

describe('parseLinkHeader', () => {
  it('reads escapes in quoted strings and lower-cases parameter names', () => {
    expect(parseLinkHeader('</a>; REL="x"; Title="say \\"hi\\""')).toEqual([
      {
        target: '/a',
        params: new Map([
          ['rel', 'x'],
          ['title', 'say "hi"'],
        ]),
      },
    ]);
  });
});
