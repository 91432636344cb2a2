import { errorText } from '../error-text';

/**
 * A section of the options page that re-reads its data after every action (People, Groups): `say` writes what the
 * last action did, `refresh` re-reads and redraws (a failed read shows in the section's error line), `after`
 * does both and tells the page, whose other sections may show the same data.
 */
export function liveSection<T>(options: {
  notice: HTMLElement;
  error: HTMLElement;
  load: () => Promise<T>;
  render: (data: T) => void;
  onChange: () => void;
}) {
  const say = (text: string) => {
    options.notice.textContent = text;
    options.notice.hidden = text === '';
  };
  async function refresh(): Promise<void> {
    try {
      options.render(await options.load());
      options.error.hidden = true;
    } catch (error) {
      options.error.textContent = errorText(error);
      options.error.hidden = false;
    }
  }
  const after = async (message: string) => {
    say(message);
    await refresh();
    options.onChange();
  };
  return { say, refresh, after };
}

/** Runs `handle` on each file chosen in `input`; a failure shows in `error`; the input is cleared for the next. */
export function onFilePicked(
  input: HTMLInputElement,
  error: HTMLElement,
  handle: (file: File) => Promise<void>,
) {
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (!file) return;
    error.hidden = true;
    void handle(file)
      .catch((e: unknown) => {
        error.textContent = errorText(e);
        error.hidden = false;
      })
      .finally(() => (input.value = ''));
  });
}
