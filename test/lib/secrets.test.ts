import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hasKey, keyringFrom, open, seal, sealedKeyId, sealingKeyId } from "../../src/lib/secrets.js";

const newKey = () => randomBytes(32).toString("base64");
const idOf = (base64: string) =>
  createHash("sha256").update(Buffer.from(base64, "base64")).digest("hex").slice(0, 16);
const AAD = "processor_connections:pconn_1:secretKey";

/** Replaces one base64url character of a sealed value's part `index` (2 iv, 3 tag, 4 ciphertext). */
function tamper(sealed: string, index: number): string {
  const parts = sealed.split(".");
  const part = parts[index] ?? "";
  parts[index] = `${part[0] === "A" ? "B" : "A"}${part.slice(1)}`;
  return parts.join(".");
}

describe("sealed secrets", () => {
  it("round-trips, in the v1.<keyId>.<iv>.<tag>.<ciphertext> format, and never twice the same text", () => {
    const key = newKey();
    const keyring = keyringFrom(key);
    const secret = "sk_test_51Hx😀 with spaces";
    const sealed = seal(keyring, secret, AAD);
    expect(sealed).toMatch(/^v1\.[0-9a-f]{16}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain("sk_test_");
    expect(sealedKeyId(sealed)).toBe(idOf(key));
    expect(sealingKeyId(keyring)).toBe(idOf(key));
    expect(open(keyring, sealed, AAD)).toBe(secret);
    // A fresh iv each time: equal secrets do not look equal at rest.
    expect(seal(keyring, secret, AAD)).not.toBe(sealed);
    expect(open(keyring, seal(keyring, "", AAD), AAD)).toBe("");
  });

  it("does not open under another row's or field's AAD", () => {
    const keyring = keyringFrom(newKey());
    const sealed = seal(keyring, "whsec_abc", "processor_connections:pconn_1:webhookSecret");
    expect(() => open(keyring, sealed, "processor_connections:pconn_2:webhookSecret")).toThrow(
      /does not open: it was altered or sealed for another record/,
    );
    expect(() => open(keyring, sealed, "processor_connections:pconn_1:secretKey")).toThrow(/does not open/);
    expect(open(keyring, sealed, "processor_connections:pconn_1:webhookSecret")).toBe("whsec_abc");
  });

  it("refuses a tampered tag, iv or ciphertext, and text that is not a sealed value", () => {
    const keyring = keyringFrom(newKey());
    const sealed = seal(keyring, "sk_live_secret", AAD);
    for (const part of [2, 3, 4])
      expect(() => open(keyring, tamper(sealed, part), AAD)).toThrow(/does not open/);
    const parts = sealed.split(".");
    const shortTag = [...parts.slice(0, 3), (parts[3] ?? "").slice(0, 8), parts[4]].join(".");
    expect(() => open(keyring, shortTag, AAD)).toThrow(/wrong length/);
    expect(() => open(keyring, sealed.replace(/^v1\./, "v2."), AAD)).toThrow(/Not a sealed secret/);
    expect(() => open(keyring, "sk_live_secret", AAD)).toThrow(/Not a sealed secret/);
  });

  it("rotates: the first key seals, a key listed after it still opens what it sealed", () => {
    const oldKey = newKey();
    const newer = newKey();
    const sealedByOld = seal(keyringFrom(oldKey), "sk_live_old", AAD);
    const rotated = keyringFrom(` ${newer} , ${oldKey} `);
    expect(rotated.keyIds).toEqual([idOf(newer), idOf(oldKey)]);
    expect(open(rotated, sealedByOld, AAD)).toBe("sk_live_old");
    const sealedByNew = seal(rotated, "sk_live_new", AAD);
    expect(sealedKeyId(sealedByNew)).toBe(idOf(newer));
    expect(sealingKeyId(rotated)).toBe(idOf(newer));
    // Once the old key is dropped, what it sealed names it, and the new key's values still open.
    const afterwards = keyringFrom(newer);
    expect(hasKey(afterwards, idOf(oldKey))).toBe(false);
    expect(open(afterwards, sealedByNew, AAD)).toBe("sk_live_new");
  });

  it("names the missing key id when the key that sealed a value is not in the keyring", () => {
    const gone = newKey();
    const sealed = seal(keyringFrom(gone), "sk_live_x", AAD);
    const current = newKey();
    let message = "";
    try {
      open(keyringFrom(current), sealed, AAD);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`encryption key ${idOf(gone)}, which is not in GLADE_ENCRYPTION_KEY`);
    expect(message).toContain(idOf(current));
  });

  it("explains a malformed GLADE_ENCRYPTION_KEY without showing it", () => {
    const short = randomBytes(16).toString("base64");
    const cases: [string, RegExp][] = [
      ["", /GLADE_ENCRYPTION_KEY is empty/],
      [short, /GLADE_ENCRYPTION_KEY is 16 bytes once decoded, not 32/],
      [randomBytes(48).toString("base64"), /is 48 bytes once decoded, not 32/],
      ["not base64 at all!", /GLADE_ENCRYPTION_KEY is not base64/],
      [`${newKey()},${short}`, /GLADE_ENCRYPTION_KEY \(key 2 of 2\) is 16 bytes/],
      [`${newKey()},`, /GLADE_ENCRYPTION_KEY \(key 2 of 2\) is empty/],
    ];
    for (const [raw, expected] of cases) {
      let message = "";
      try {
        keyringFrom(raw);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, JSON.stringify(raw)).toMatch(expected);
      expect(message).toContain("openssl rand -base64 32");
      if (raw.length > 0) expect(message).not.toContain(raw.split(",").pop() || raw);
    }
  });

  it("a keyring shows its key ids and never its keys, however it is printed", () => {
    const key = newKey();
    const keyring = keyringFrom(key);
    const shown = [JSON.stringify(keyring), String(Object.values(keyring)), Object.keys(keyring).join()];
    const hex = Buffer.from(key, "base64").toString("hex");
    for (const text of shown) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(hex);
    }
    expect(JSON.stringify(keyring)).toContain(idOf(key));
  });
});
