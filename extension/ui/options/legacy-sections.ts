import type { VaultKey } from '../../model';
import { requiredElement } from '../required-element';
import { mountLegacyOwnerSection } from './legacy-owner-section';
import { mountLegacyTrustedSection } from './legacy-trusted-section';

/**
 * Digital legacy's two sections of the options page: the owner's ("If something happens to you") and the trusted
 * person's ("People who named you"). Both ask the keyserver with signatures, so they re-read only when the set of
 * unlocked keys changes (or the user asks), not at every redraw of the page.
 */
export function mountLegacySections(onChange: () => void) {
  const ownerSection = requiredElement('legacy-section', HTMLElement);
  const trustedSection = requiredElement('legacy-trusted-section', HTMLElement);
  const owner = mountLegacyOwnerSection(ownerSection, onChange);
  const trusted = mountLegacyTrustedSection(trustedSection, onChange);
  let shownFor: string | undefined;
  return {
    showFor(keys: readonly VaultKey[]): void {
      ownerSection.hidden = keys.length === 0;
      trustedSection.hidden = keys.length === 0;
      if (keys.length === 0) return;
      const signature = keys.map((k) => `${k.fingerprint}:${k.unlocked}`).join('|');
      if (signature === shownFor) return;
      shownFor = signature;
      void owner.refresh();
      void trusted.refresh();
    },
  };
}
