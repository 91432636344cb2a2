import { describeAnswer, deliverRelease } from '../../downloads/release-delivery';
import type { ReleaseAdvert, ReleaseTarget } from '../../downloads/release-target';
import { releaseChannel, type ReleaseAsk, type ReleaseReport } from '../../messaging/release-channel';
import { openChannel } from '../../messaging/runtime-channels';
import { groupFingerprint } from '../format';
import { requiredElement } from '../required-element';

/**
 * "Release this file to a service", offered once a file decrypted (so it is one of the user's). The user names the
 * service by its address (the download's response may have advertised one and where it takes releases:
 * release-target.ts); Keyward looks its key up and shows who it is; only then can the user send a copy of this one
 * file that the service's key opens too, to the advertised place on the download's own site, or save the copy.
 * Everything here happens on the user's clicks in Keyward's page, which no web page can click or script.
 */
export function mountRelease(): { offer: (file: File | undefined, advert?: ReleaseAdvert) => void } {
  const section = requiredElement('release-section', HTMLElement);
  const advertText = requiredElement('release-advert', HTMLParagraphElement);
  const form = requiredElement('release-form', HTMLFormElement);
  const address = form.elements.namedItem('address') as HTMLInputElement;
  const found = requiredElement('release-found', HTMLDivElement);
  const who = requiredElement('release-who', HTMLParagraphElement);
  const send = requiredElement('release-send', HTMLButtonElement);
  const saveCopy = requiredElement('release-save', HTMLButtonElement);
  const status = requiredElement('release-status', HTMLParagraphElement);
  const error = requiredElement('release-error', HTMLParagraphElement);
  const saved = requiredElement('release-saved', HTMLParagraphElement);
  const link = requiredElement('release-save-link', HTMLAnchorElement);
  let file: File | undefined;
  let target: ReleaseTarget | undefined;
  /** The key the user was shown; the copy is made for this one only. */
  let shown: { address: string; fingerprint: string } | undefined;

  const say = (message: string, isError = false) => {
    status.textContent = isError ? '' : message;
    error.textContent = isError ? message : '';
    error.hidden = !isError;
  };
  const forget = () => {
    shown = undefined;
    found.hidden = true;
  };

  function ask(request: ReleaseAsk): Promise<ReleaseReport> {
    return new Promise((resolve) => {
      const port = openChannel(releaseChannel);
      let answered = false;
      port.onMessage((report) => {
        answered = true;
        port.disconnect();
        resolve(report);
      });
      port.onDisconnect(() => {
        if (!answered)
          resolve({ kind: 'failed', reason: 'refused', message: 'Keyward stopped; nothing was released.' });
      });
      port.post(request);
    });
  }

  function problem(report: ReleaseReport): string {
    if (report.kind === 'failed') return report.message;
    if (report.kind === 'locked')
      return `Unlock ${report.userId} first (decrypt the file again), then try again.`;
    return 'Keyward could not make the copy; nothing was released.';
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    forget();
    saved.hidden = true;
    const wanted = address.value.trim();
    if (!wanted) return say("Type the service's address.", true);
    say(`Looking up the key of ${wanted}…`);
    void ask({ kind: 'lookup', address: wanted }).then((report) => {
      if (report.kind !== 'found') return say(problem(report), true);
      shown = { address: report.address, fingerprint: report.fingerprint };
      who.textContent =
        `${report.userId}, key ${groupFingerprint(report.fingerprint)}. The copy is made for this key ` +
        'only. If this is not who you meant, stop here.';
      const deliverable = target !== undefined && target.address === report.address;
      send.hidden = !deliverable;
      send.textContent = deliverable ? `Send this file to ${target!.host}` : '';
      found.hidden = false;
      say(
        deliverable
          ? `Found the key of ${report.address}. Nothing has been sent yet.`
          : `Found the key of ${report.address}. Save the copy and give it to the service yourself.`,
      );
    });
  });
  address.addEventListener('input', forget);

  /** Shares the file with the shown key, then hands the copy to `then`. */
  function share(then: (copy: File) => Promise<void>): void {
    const current = file;
    const key = shown;
    if (!current || !key) return;
    send.disabled = true;
    saveCopy.disabled = true;
    say('Making a copy the service can open…');
    void ask({ kind: 'share', file: current, address: key.address, fingerprint: key.fingerprint })
      .then(async (report) => {
        if (report.kind !== 'shared') return say(problem(report), true);
        await then(report.file);
      })
      .catch((e: unknown) => say(e instanceof Error ? e.message : String(e), true))
      .finally(() => {
        send.disabled = false;
        saveCopy.disabled = false;
      });
  }

  send.addEventListener('click', () => {
    const to = target;
    if (!to || shown?.address !== to.address) return;
    share(async (copy) => {
      say(`Sending the copy to ${to.host}…`);
      const answer = await deliverRelease({ target: to, copy });
      say(describeAnswer(to, answer), !answer.accepted);
    });
  });
  saveCopy.addEventListener('click', () =>
    share((copy) => {
      if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
      link.href = URL.createObjectURL(copy);
      link.download = copy.name;
      link.textContent = `Save the copy of ${copy.name} for ${shown?.address ?? 'the service'}`;
      saved.hidden = false;
      say('The copy is ready: the same encrypted contents, and one more key that can open them.');
      return Promise.resolve();
    }),
  );

  return {
    offer(next, advert = { kind: 'none' }) {
      file = next;
      target = advert.kind === 'target' ? advert.target : undefined;
      section.hidden = next === undefined;
      forget();
      saved.hidden = true;
      say('');
      address.value = target?.address ?? '';
      advertText.textContent =
        advert.kind === 'target'
          ? `${advert.target.host} offers to take this file, readable by ${advert.target.address}. Look up ` +
            'that key first: nothing is sent until you click Send.'
          : advert.kind === 'refused'
            ? `${advert.problem} Keyward will not send it there; you can still save a copy for an address.`
            : 'Name a service by its address to make a copy of this one file that its key can open too.';
    },
  };
}
