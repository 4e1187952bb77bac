/**
 * How strong a client or webhook secret must be, and how the editor makes one.
 *
 * The rule is aimed at what an offline guess list finds: short values, values made of a few
 * repeated characters, one character class, or listed words. It is an estimate: it cannot tell
 * a random string from words with a short random tail ("demo-globex-whsec-audit-91d2f6b3" holds
 * 32 random bits and passes), and a word detector without a dictionary refused about 1 in 250
 * random 32-character secrets when tried, so the messages and the Generate button steer people
 * to a random secret instead. Provider
 * secrets pass as issued (Google's `GOCSPX-…`, GitHub's 40 hex digits, Facebook's 32), except a
 * hex secret that happens to hold no letter (one in 3.4 million for 32 digits), refused as one
 * kind of character: the provider issues another.
 */

export const MIN_SECRET_LENGTH = 32;

/**
 * Estimated bits (length × the entropy of the secret's own character frequencies). 32 random hex
 * digits, the weakest form a provider issues, never scored below 91 in 200 000 draws; a value
 * such as "abcabc…" of the same length scores 57.
 */
const MIN_SECRET_BITS = 80;

/** Words that turn a long value into a guessable one; checked case-insensitively. */
const GUESSABLE_WORDS = ['secret', 'password', 'passwd', 'changeme', 'letmein', 'qwerty'];

const CLASSES = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/];

const RANDOM_ADVICE =
  'Use a random secret (Generate makes one) or paste the one your provider issued.';

function estimatedBits(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bitsPerChar = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bitsPerChar -= p * Math.log2(p);
  }
  return bitsPerChar * value.length;
}

/** Why a new secret value is too weak to store, in words for the person entering it; else undefined. */
export function secretWeakness(value: string): string | undefined {
  const length = [...value].length;
  if (length < MIN_SECRET_LENGTH) {
    return `Too short: a secret needs at least ${MIN_SECRET_LENGTH} characters (this one has ${length}). ${RANDOM_ADVICE}`;
  }
  const lower = value.toLowerCase();
  const word = GUESSABLE_WORDS.find((w) => lower.includes(w));
  if (word) return `Too easy to guess: it contains “${word}”. ${RANDOM_ADVICE}`;
  if (CLASSES.filter((c) => c.test(value)).length < 2) {
    return `Too predictable: it uses only one kind of character. ${RANDOM_ADVICE}`;
  }
  if (estimatedBits(value) < MIN_SECRET_BITS) {
    return `Too predictable: it repeats the same few characters. ${RANDOM_ADVICE}`;
  }
  return undefined;
}

export const isStrongSecret = (value: string) => secretWeakness(value) === undefined;

/** 32 random bytes, base64url (43 characters), from the platform's CSPRNG (browser or Node). */
export function generateSecret(): string {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const secret = btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    // A draw can, very rarely, spell a listed word or repeat characters: draw again.
    if (isStrongSecret(secret)) return secret;
  }
}
