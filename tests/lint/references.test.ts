import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Code and docs point only at what is in the repository: no design notes kept elsewhere, no numbered conventions,
// and every `docs/<page>.md, "Section"` they cite names a page and a section (a heading or a bold term) that exist.
const root = process.cwd();

/** Pointers at notes that are not in the repository. */
const OUTSIDE = [
  /shared\/design\b/,
  /(^|[\s(`'"])design\/[\w-]+\.md/,
  /\bescrow design\b/i,
  /\bdesign §/,
  /\bconventions? (#|no\.\s*)?\d+/i,
  /\bconvention #/i,
];

/** `docs/page.md` alone, or with a section: `docs/page.md, "Section"` (straight or curly quotes). */
const DOC_REFERENCE = /docs\/([\w-]+\.md)(?:,\s*["“]([^"”]+)["”])?/g;

/** The headings (without their numbers) and bold terms of a page, which a citation may name. */
function sectionsOf(markdown: string): string[] {
  const headings = [...markdown.matchAll(/^#+\s+(?:\d+\.\s+)?(.+)$/gm)].map((m) => m[1]!.trim());
  const terms = [...markdown.matchAll(/\*\*([^*]+?)\.?\*\*/g)].map((m) => m[1]!.trim());
  return [...headings, ...terms];
}

/** A citation names a section by its title or the start of it ("The client" for "The client (extension)"). */
function hasSection(markdown: string, cited: string): boolean {
  // A citation may run over a comment's line break.
  const title = cited.replace(/\s*\n\s*(\*|\/\/)?\s*/g, ' ').trim();
  return sectionsOf(markdown).some((s) => s === title || s.startsWith(`${title} `));
}

/** What is wrong with the pointers in one file's text; `page` reads a docs/ page, undefined when there is none. */
export function badReferences(text: string, page: (name: string) => string | undefined): string[] {
  const problems: string[] = [];
  for (const pattern of OUTSIDE) {
    const found = pattern.exec(text);
    if (found) problems.push(`points outside the repository: "${found[0].trim()}"`);
  }
  for (const [, name, section] of text.matchAll(DOC_REFERENCE)) {
    const markdown = page(name!);
    if (markdown === undefined) problems.push(`cites docs/${name}, which does not exist`);
    else if (section !== undefined && !hasSection(markdown, section)) {
      problems.push(`cites docs/${name}, "${section}", which has no such section`);
    }
  }
  return problems;
}

const readPage = (name: string) => {
  const path = join(root, 'docs', name);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
};

describe('references', () => {
  it.each([
    // Put together here, so that this file itself cites nothing outside the repository.
    ['a design note kept next to the repository', `// see ../${'shared'}/design/extension.md`],
    ['a design folder', ' * (design/escrow.md, requirement 6)'],
    ['the escrow design by section', ' * Opting out later (escrow design §8)'],
    ['a numbered convention', '/** (docs/architecture.md, convention 3) */'],
    ['a page that does not exist', '// docs/nowhere.md says why'],
    ['a section that does not exist', '// (docs/escrow.md, "Requirement 4")'],
  ])('finds %s', (_name, text) => {
    expect(badReferences(text, readPage)).not.toEqual([]);
  });

  it.each([
    ['a page', '// docs/security.md'],
    ['a heading', '// (docs/architecture.md, "Conventions")'],
    ['a bold term', '// (docs/escrow.md, "Guess limiting")'],
    ['a heading in curly quotes', '// (docs/security.md, “Hostile pages”)'],
    ['a numbered heading by its title', '// (docs/deploy.md, "Operations")'],
    [
      'the start of a heading, over a line break',
      '/* (docs/legacy.md, "Scheduling across\n * processes") */',
    ],
  ])('accepts %s', (_name, text) => {
    expect(badReferences(text, readPage)).toEqual([]);
  });

  it('every tracked source file and doc points only at what is in the repository', () => {
    const files = execFileSync('git', ['ls-files', '-z', '--', '*.ts', '*.js', '*.md', '*.html', '*.json'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\0')
      .filter((f) => f !== '' && f !== 'package-lock.json' && !f.startsWith('tests/e2e/sites/'))
      // This file spells out the patterns it looks for.
      .filter((f) => f !== 'tests/lint/references.test.ts');
    const problems = files.flatMap((file) =>
      badReferences(readFileSync(join(root, file), 'utf8'), readPage).map((p) => `${file}: ${p}`),
    );
    expect(problems).toEqual([]);
  });
});
