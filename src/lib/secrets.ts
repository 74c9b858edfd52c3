import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { panic } from "./errors.js";

/**
 * Secrets at rest (processor keys, webhook signing secrets), sealed with AES-256-GCM under
 * GLADE_ENCRYPTION_KEY. A sealed value is one line of text:
 *
 *   v1.<keyId>.<iv>.<tag>.<ciphertext>      (iv, tag, ciphertext in base64url)
 *
 * It names the key that sealed it, so keys rotate: the variable lists keys separated by commas, the first
 * seals, every one listed opens. A key's id is derived from the key itself, so nothing but the keys needs
 * configuring. The caller's `aad` (for instance `processor_connections:<id>:secretKey`) is authenticated with
 * the ciphertext: a sealed value copied to another row or field does not open.
 */

const VERSION = "v1";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ENV = "GLADE_ENCRYPTION_KEY";
const HOW_TO_GENERATE = "generate one with `openssl rand -base64 32`";
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** The id under which a key's sealed values are filed: 16 hex characters of sha256(key), public by design. */
function keyIdOf(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

/** The keys of GLADE_ENCRYPTION_KEY, by id. What a caller holds shows the ids only (see `keyBytes`). */
export type Keyring = {
  /** The key new values are sealed with: the first one listed. */
  readonly sealingKeyId: string;
  /** Every key id that opens, the sealing key's first. */
  readonly keyIds: readonly string[];
};

/**
 * The key bytes live here, out of the keyring object, so a keyring handed to a logger, an error or
 * JSON.stringify shows key ids and nothing else; only seal and open below read them.
 */
const keyBytes = new WeakMap<Keyring, ReadonlyMap<string, Buffer>>();

export function hasKey(keyring: Keyring, keyId: string): boolean {
  return keyBytes.get(keyring)?.has(keyId) ?? false;
}

/**
 * Parses GLADE_ENCRYPTION_KEY. A malformed entry is named by its position, never shown: the message may be
 * logged, and the entry could be a real key with a typo in it.
 */
export function keyringFrom(raw: string): Keyring {
  const entries = raw.split(",").map((entry) => entry.trim());
  const keys = entries.map((entry, index) => {
    const which = entries.length === 1 ? `${ENV}` : `${ENV} (key ${index + 1} of ${entries.length})`;
    if (entry.length === 0) throw new Error(`${which} is empty; ${HOW_TO_GENERATE}`);
    if (!BASE64.test(entry)) throw new Error(`${which} is not base64; ${HOW_TO_GENERATE}`);
    const key = Buffer.from(entry, "base64");
    if (key.length !== KEY_BYTES) {
      throw new Error(`${which} is ${key.length} bytes once decoded, not ${KEY_BYTES}; ${HOW_TO_GENERATE}`);
    }
    return key;
  });
  // `split` yields at least one entry, and an empty one has thrown above.
  const sealingKey = keys[0] ?? panic("a parsed GLADE_ENCRYPTION_KEY has no first key");
  const byId = new Map(keys.map((key) => [keyIdOf(key), key] as const));
  const keyring: Keyring = Object.freeze({
    sealingKeyId: keyIdOf(sealingKey),
    keyIds: Object.freeze([...byId.keys()]),
  });
  keyBytes.set(keyring, byId);
  return keyring;
}

export function sealingKeyId(keyring: Keyring): string {
  return keyring.sealingKeyId;
}

export function seal(keyring: Keyring, plaintext: string, aad: string): string {
  const keyId = keyring.sealingKeyId;
  const key =
    keyBytes.get(keyring)?.get(keyId) ?? panic(`the sealing key ${keyId} is not in its own keyring`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString("base64url"));
  return [VERSION, keyId, ...parts].join(".");
}

/** Which key sealed a value, read from the value alone. */
export function sealedKeyId(sealed: string): string {
  return parseSealed(sealed).keyId;
}

export function open(keyring: Keyring, sealed: string, aad: string): string {
  const { keyId, iv, tag, ciphertext } = parseSealed(sealed);
  const key = keyBytes.get(keyring)?.get(keyId);
  if (!key) {
    throw new Error(
      `A secret was sealed with encryption key ${keyId}, which is not in ${ENV} (it holds ${keyring.keyIds.join(", ")}); add that key back, after the current one`,
    );
  }
  const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    // GCM says only "unable to authenticate": the value was altered, or it belongs to another row or field.
    throw new Error(`A sealed secret for ${aad} does not open: it was altered or sealed for another record`);
  }
}

function parseSealed(sealed: string): { keyId: string; iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const parts = sealed.split(".");
  const [version, keyId, iv, tag, ciphertext] = parts;
  if (parts.length !== 5 || version !== VERSION || !keyId || iv === undefined || tag === undefined) {
    throw new Error(`Not a sealed secret: expected ${VERSION}.<keyId>.<iv>.<tag>.<ciphertext>`);
  }
  const bytes = (part: string) => Buffer.from(part, "base64url");
  const ivBytes = bytes(iv);
  const tagBytes = bytes(tag);
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) {
    throw new Error(`Not a sealed secret: its iv or tag has the wrong length (sealed with key ${keyId})`);
  }
  return { keyId, iv: ivBytes, tag: tagBytes, ciphertext: bytes(ciphertext ?? "") };
}

let parsed: { raw: string; keyring: Keyring } | undefined;

/** The keyring of a configured GLADE_ENCRYPTION_KEY (parsed once per value), or undefined when it is unset. */
export function keyringOf(config: { encryptionKey: string | undefined }): Keyring | undefined {
  const raw = config.encryptionKey;
  if (raw === undefined) return undefined;
  if (parsed?.raw !== raw) parsed = { raw, keyring: keyringFrom(raw) };
  return parsed.keyring;
}

/** Whether a stored value is sealed (`v1.…`) rather than a secret in the clear. */
export const isSealed = (value: string) => value.startsWith(`${VERSION}.`);
