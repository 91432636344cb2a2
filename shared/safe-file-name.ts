/**
 * File names Keyward saves decrypted files under. Both the name inside an OpenPGP message and a download's name are
 * chosen by whoever made the file (a hostile site can make files encrypted to the user, who then downloads them), so
 * neither is trusted: a name can try to hide itself (`.bashrc`), climb out of the downloads folder (`../x`), reverse
 * its own letters so `invoice‮fdp.exe` reads `invoice.pdf`, clash with a device name on Windows (`CON`), or be a
 * kind of file that runs something when opened (`run-me.desktop`, `invoice.html`).
 */

/** Kinds of files that run code, or open as a program or a web page with its scripts, when opened. */
const RISKY_EXTENSIONS = new Set(
  [
    // Windows
    'exe com scr pif bat cmd msi msp msc cpl dll sys hta lnk url reg ps1 psm1 psd1 vb vbs vbe js jse ws wsf wsh',
    'wsc scf inf gadget application appref-ms settingcontent-ms library-ms search-ms diagcab msix appx iso img',
    'vhd vhdx chm xll xlam docm xlsm pptm',
    // macOS
    'app command tool pkg mpkg dmg terminal workflow webloc inetloc fileloc scpt applescript',
    // Linux and other Unix
    'desktop sh bash zsh csh ksh run appimage deb rpm snap flatpak',
    // Scripts many systems run when opened
    'py pyw pl rb php jar jnlp',
    // Web pages and documents that run scripts when a browser opens them from disk
    'html htm xhtml shtml mht mhtml svg svgz xml xsl xslt',
  ].flatMap((group) => group.split(' ')),
);

/** Windows device names, which cannot be file names there (whatever the extension). */
const DEVICE_NAMES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/** Characters that are never part of a file name Keyward writes. */
const UNSAFE_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff<>:"|?*]/g;

const MAX_LENGTH = 200;

export interface SafeFileName {
  /** The name to save under: a plain name in the downloads folder, never hidden, never a device name. */
  readonly name: string;
  /** A kind of file that can run something when opened: say so, and let the user choose to save it. */
  readonly risky: boolean;
}

/** A safe name for `candidate` (a name from a message or a download), or for `fallback` when nothing is left. */
export function safeFileName(candidate: string, fallback = 'decrypted'): SafeFileName {
  const base = (candidate.split(/[\\/]/).pop() ?? '').replace(UNSAFE_CHARACTERS, '');
  // Leading dots and spaces hide a file or make it odd; trailing ones are dropped by Windows and confuse others.
  let name = base.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '');
  if (name === '') name = fallback;
  if (DEVICE_NAMES.test(name)) name = `_${name}`;
  name = shorten(name);
  return { name, risky: isRisky(name) };
}

/** Whether a file of this name can run something when opened (by its last extension). */
export function isRisky(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && RISKY_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

/** At most MAX_LENGTH characters, keeping the extension (what decides how the file is opened). */
function shorten(name: string): string {
  const chars = [...name];
  if (chars.length <= MAX_LENGTH) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  return chars.slice(0, MAX_LENGTH - [...extension].length).join('') + extension;
}
