/** 32 letters and digits that cannot be mistaken for one another when read aloud or copied by hand (no 0/o, 1/l). */
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/**
 * A password for a file sent to someone without a key: 24 characters from 32 (120 bits, from the platform's
 * CSPRNG), in six groups of four so it can be read out or typed. 256 is a multiple of 32, so each byte's low five
 * bits pick a character with no bias.
 */
export function generateFilePassword(
  random: (length: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n)),
): string {
  const bytes = random(24);
  const chars = Array.from(bytes, (b) => ALPHABET[b & 31]!);
  const groups: string[] = [];
  for (let i = 0; i < chars.length; i += 4) groups.push(chars.slice(i, i + 4).join(''));
  return groups.join('-');
}
