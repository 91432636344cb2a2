import { describe, expect, it } from 'vitest';
import { isRisky, safeFileName } from './safe-file-name';

describe('safeFileName', () => {
  it.each([
    ['report.pdf', 'report.pdf', false],
    ['.bashrc', 'bashrc', false],
    ['..', 'decrypted', false],
    ['../../etc/passwd', 'passwd', false],
    ['C:\\Users\\x\\evil.txt', 'evil.txt', false],
    ['  .hidden.txt. ', 'hidden.txt', false],
    ['invoice\u202efdp.exe', 'invoicefdp.exe', true],
    ['a\u0000b\nc.txt', 'abc.txt', false],
    ['CON', '_CON', false],
    ['lpt1.txt', '_lpt1.txt', false],
    ['run-me.desktop', 'run-me.desktop', true],
    ['invoice.html', 'invoice.html', true],
    ['Invoice.HTM', 'Invoice.HTM', true],
    ['script.sh', 'script.sh', true],
    ['photo.svg', 'photo.svg', true],
    ['notes.txt', 'notes.txt', false],
    ['', 'decrypted', false],
    ['what?.txt', 'what.txt', false],
  ])('%j -> %j (risky: %s)', (candidate, name, risky) => {
    expect(safeFileName(candidate)).toEqual({ name, risky });
  });

  it('attack: a name reversed with a right-to-left override cannot pass for another kind of file', () => {
    // Shown as "invoice.pdf" with the override, it is an .exe; without it the name reads as what it is.
    const { name, risky } = safeFileName('invoice\u202efdp.exe');
    expect(name).not.toMatch(/\u202e/);
    expect(risky).toBe(true);
  });

  it('keeps the extension when it shortens a long name', () => {
    const { name } = safeFileName(`${'a'.repeat(300)}.pdf`);
    expect([...name]).toHaveLength(200);
    expect(name.endsWith('.pdf')).toBe(true);
  });

  it('uses the fallback given when nothing of the name is left', () => {
    expect(safeFileName('...', 'report.pdf').name).toBe('report.pdf');
  });

  it('judges risk by the last extension only', () => {
    expect(isRisky('archive.exe.txt')).toBe(false);
    expect(isRisky('archive.txt.exe')).toBe(true);
    expect(isRisky('exe')).toBe(false);
  });
});
