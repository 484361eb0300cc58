import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Envelope encryption for private keys at rest: AES-256-GCM under the gateway's master key
 * (`KEYGATE_MASTER_KEY`), so a database dump alone does not reveal a signing key.
 */
export class MasterKey {
  private readonly key: Buffer;

  constructor(material: string | Buffer) {
    const raw = typeof material === 'string' ? decodeMaterial(material) : material;
    if (raw.length < 32) throw new Error('The master key must hold at least 32 bytes (base64 or hex of 32 random bytes).');
    this.key = raw.length === 32 ? raw : createHash('sha256').update(raw).digest();
  }

  static generate(): string {
    return randomBytes(32).toString('base64');
  }

  encrypt(plain: Buffer): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  decrypt(sealed: string): Buffer {
    const data = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(12, 28));
    return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]);
  }
}

function decodeMaterial(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-f]{64,}$/i.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const base64 = Buffer.from(trimmed, 'base64');
  return base64.length >= 32 ? base64 : Buffer.from(trimmed, 'utf8');
}
