import type { Group } from '../model';
import { el } from './dom';

/** The addresses typed into a recipients field: separated by commas, semicolons, spaces or new lines. */
export function addressList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((a) => a.trim())
    .filter(Boolean);
}

/** One checkbox per group ("Design team (4)"), ticked for the ids in `chosen`. */
export function groupCheckboxes(groups: readonly Group[], chosen: readonly string[] = []): HTMLElement[] {
  return groups.map((g) =>
    el(
      'label',
      { class: 'check' },
      el('input', { type: 'checkbox', value: g.id, checked: chosen.includes(g.id) }),
      el('span', {}, `${g.name} (${g.members.length})`),
    ),
  );
}

/** The ids of the groups ticked in a box filled by `groupCheckboxes`. */
export function chosenGroups(box: HTMLElement): string[] {
  return [...box.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')].map((i) => i.value);
}
