import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Frame, Page } from 'playwright-core';

// Accessibility checks for the extension's pages, in the browser: axe-core's rules (WCAG 2.0-2.2 A and AA, and
// axe's best practices), and reflow (WCAG 1.4.10): no horizontal scrolling at a 320 CSS px wide viewport, nor at 200%
// zoom of a 1280 x 800 window (a 640 x 400 CSS px viewport: the layout a 200% zoom gives).

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

/**
 * Every axe-core violation in the page as it is now (hidden parts are skipped by axe). Injected through the
 * DevTools protocol, so extension pages' content security policy does not stand in the way.
 */
export async function axeViolations(page: Page | Frame): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            context: Document,
            options: object,
          ): Promise<{
            violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
          }>;
        };
      }
    ).axe;
    const { violations } = await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
      },
      resultTypes: ['violations'],
    });
    return violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
}

/** A readable list for a failed expectation. */
export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.targets.join(', ')}`).join('\n');
}

/** The viewports reflow is checked at. */
export const REFLOW_VIEWPORTS = [
  { name: '320 px wide', width: 320, height: 640 },
  { name: '200% zoom', width: 640, height: 400 },
] as const;

/** How far the page's content reaches past the viewport's width, in CSS px (0: no horizontal scrolling). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const root = document.scrollingElement ?? document.documentElement;
    return Math.max(0, root.scrollWidth - root.clientWidth);
  });
}
