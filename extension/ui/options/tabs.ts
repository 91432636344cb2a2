import { requiredElement } from '../required-element';

/** "Create a new key" / "Import a key I already have": two tabs over one card. */
export function wireTabs(): void {
  const tabs = [
    {
      tab: requiredElement('tab-create', HTMLButtonElement),
      panel: requiredElement('create-form', HTMLFormElement),
    },
    {
      tab: requiredElement('tab-import', HTMLButtonElement),
      panel: requiredElement('import-panel', HTMLDivElement),
    },
  ];
  for (const { tab } of tabs) {
    tab.addEventListener('click', () => {
      for (const other of tabs) {
        const selected = other.tab === tab;
        other.tab.setAttribute('aria-selected', String(selected));
        other.panel.hidden = !selected;
      }
    });
  }
}
