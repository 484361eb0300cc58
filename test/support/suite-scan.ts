import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The whole-suite secret scan, part one (runs in every test file): every secret a test sends to
 * keygate or receives from it, and every log line any gateway wrote, go to files in
 * KEYGATE_TEST_SCAN_DIR. Part two (test/global-teardown.js) fails the run if any such secret is in
 * any log line.
 */
const dir = process.env.KEYGATE_TEST_SCAN_DIR;
const seen = new Set<string>();
const SHAPED = /kg[a-z]{2,4}_[0-9A-Za-z]{20,}|eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}/g;
const SECRET_KEY = /(password|secret|token|api[-_]?key|refresh_token|access_token|accessToken|clientSecret)$/i;

export function recordSecret(value: unknown): void {
  if (!dir || typeof value !== 'string' || value.length < 8 || seen.has(value)) return;
  seen.add(value);
  appendFileSync(join(dir, `secrets-${process.pid}.txt`), JSON.stringify(value) + '\n');
}

export function recordLog(text: string): void {
  if (dir && text) appendFileSync(join(dir, `logs-${process.pid}.txt`), text.endsWith('\n') ? text : text + '\n');
}

/** Secrets in configuration handed to a child process. */
export function recordEnvSecrets(env: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (/MASTER_KEY|OPERATOR_TOKEN|PASSWORD/.test(name)) recordSecret(value);
    if (name === 'DATABASE_URL') {
      try {
        recordSecret(decodeURIComponent(new URL(value).password));
      } catch {
        // not a URL: nothing to record
      }
    }
  }
}

function collect(value: unknown, depth = 0): void {
  if (depth > 12 || value === null || value === undefined) return;
  if (typeof value === 'string') {
    for (const match of value.match(SHAPED) ?? []) recordSecret(match);
    return;
  }
  if (Array.isArray(value)) return value.forEach((item) => collect(item, depth + 1));
  if (typeof value === 'object') {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      if (SECRET_KEY.test(key) && typeof inner === 'string') recordSecret(inner);
      collect(inner, depth + 1);
    }
  }
}

function collectText(text: string): void {
  for (const match of text.match(SHAPED) ?? []) recordSecret(match);
  try {
    collect(JSON.parse(text));
  } catch {
    for (const pair of text.matchAll(/(?:^|&)(?:password|client_secret|refresh_token|token)=([^&]+)/g)) recordSecret(decodeURIComponent(pair[1].replace(/\+/g, ' ')));
  }
}

function collectHeaders(headers: ConstructorParameters<typeof Headers>[0] | undefined): void {
  const value = new Headers(headers ?? {}).get('authorization');
  if (!value) return;
  const [scheme, credential] = value.split(/\s+/, 2);
  if (/^bearer$/i.test(scheme)) recordSecret(credential);
  if (/^basic$/i.test(scheme) && credential) recordSecret(Buffer.from(credential, 'base64').toString('utf8').split(':').slice(1).join(':'));
  const token = new Headers(headers ?? {}).get('token');
  if (token) recordSecret(token);
}

if (dir && !(globalThis.fetch as { recorded?: boolean }).recorded) {
  const original = globalThis.fetch;
  const recording = async (input: string | URL | Request, init?: RequestInit) => {
    try {
      collectHeaders(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      if (typeof init?.body === 'string') collectText(init.body);
      if (init?.body instanceof URLSearchParams) collectText(init.body.toString());
    } catch {
      // recording must never change what a test does
    }
    const response = await original(input, init);
    // Recorded as the test reads the body (a clone would hold unread connections open).
    const text = response.text.bind(response);
    const reading = async () => {
      const body = await text();
      collectText(body);
      return body;
    };
    Object.defineProperties(response, { text: { value: reading }, json: { value: async () => JSON.parse(await reading()) } });
    return response;
  };
  globalThis.fetch = Object.assign(recording, { recorded: true }) as typeof fetch;
}
