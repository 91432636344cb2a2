export interface Tab {
  readonly tab: HTMLButtonElement;
  readonly panel: HTMLElement;
}

/**
 * ARIA tabs over panels ("Create a new key" / "Import a key I already have"): click or arrow keys switch, only the
 * selected tab is in the Tab order (the WAI-ARIA tabs pattern).
 */
export function mountTabs(tabs: readonly Tab[]): void {
  const select = (chosen: Tab, focus: boolean) => {
    for (const t of tabs) {
      const selected = t === chosen;
      t.tab.setAttribute('aria-selected', String(selected));
      t.tab.tabIndex = selected ? 0 : -1;
      t.panel.hidden = !selected;
    }
    if (focus) chosen.tab.focus();
  };
  tabs.forEach((t, i) => {
    t.tab.addEventListener('click', () => select(t, false));
    t.tab.addEventListener('keydown', (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1, Home: -i, End: tabs.length - 1 - i }[event.key];
      if (step === undefined) return;
      event.preventDefault();
      select(tabs[(i + step + tabs.length) % tabs.length]!, true);
    });
  });
  select(tabs.find((t) => t.tab.getAttribute('aria-selected') === 'true') ?? tabs[0]!, false);
}
