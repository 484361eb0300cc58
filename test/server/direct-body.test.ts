import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { parseBody } from '../../src/server/direct-routes';
import { verifyUtf8 } from '../../src/server/well-formed';

/**
 * The direct binding's body parser against the real one: Express's json and urlencoded parsers
 * with the route kit's options, fed the same bytes. Parsed values must be the same (prototype
 * and own keys included); refused bodies must fail with the same type and status.
 */
const LIMIT = 64 * 1024;
type Outcome = { value: string } | { refused: { gateway: boolean; type?: string; status?: number } };

const describeValue = (value: unknown) => JSON.stringify({ value, proto: value === null || typeof value !== 'object' ? null : Object.getPrototypeOf(value) === Object.prototype ? 'Object' : Array.isArray(value) ? 'Array' : 'other', own: value && typeof value === 'object' ? Object.getOwnPropertyNames(value) : null });
const describeError = (error: { type?: string; status?: number; code?: string }) => {
  const gateway = error.code === 'BAD_USER_INPUT';
  // body-parser wraps the verify error (403, entity.verify.failed); both bindings answer it as the same 400.
  return { refused: gateway ? { gateway } : { gateway, type: error.type, status: error.status } };
};

let url: string;
let close: () => void;
const seen = new Map<string, Outcome>();
beforeAll(async () => {
  const app = express();
  app.post(
    '/parse',
    express.json({ limit: LIMIT, verify: verifyUtf8 }),
    express.urlencoded({ extended: false, limit: LIMIT, verify: verifyUtf8 }),
    (req: express.Request, res: express.Response) => void (seen.set(String(req.headers['x-case']), { value: describeValue(req.body) }), res.end()),
    (error: { type?: string; status?: number; code?: string }, req: express.Request, res: express.Response, _next: express.NextFunction) =>
      void (seen.set(String(req.headers['x-case']), describeError(error)), res.end()),
  );
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/parse`;
  close = () => server.close();
});
afterAll(() => close());

const params = (n: number) => Array.from({ length: n }, (_, i) => `p${i}=1`).join('&');
const JSON_CASES = ['', '{}', '[]', '"text"', '   ', '\t\r\n', '\ufeff', '\ufeff\ufeff{}', '\ufeff {"a":1}', ' \ufeff{}', '{"__proto__":{"x":1},"constructor":{"prototype":1}}', '{"a":1,"a":2}', 'null', 'true', '1', '{"a":"\\u0000"}', '\u00a0{}', '\u2028{}', '\x0b{}', '{"a":1} ', '{"a":1}x'];
const FORM_CASES = ['', '\ufeff', '\ufeffa=1', 'a', 'a=', '=a', '&', '&&', 'a=1&&b=2', 'a+b=c+d', 'a=%ZZ', 'a=%', '%E0%A4%A=1', 'a=%C3%A9', 'a=%FF', 'a[b]=1', 'a[]=1&a[]=2', 'a[0]=1', '__proto__=1', '__proto__[x]=1', 'constructor=1', 'hasOwnProperty=1', 'toString=x&toString=y', 'a=1&a=2&a=3', params(1000), params(1001), `${params(999)}&`, ';a=1', 'a=1;b=2', 'utf8=%E2%9C%93&a=%A9', 'a=&#9731;', 'a=b=c', 'a[b][c]=1', '[]=1', 'a.b=1', Array.from({ length: 30 }, () => 'a=1').join('&')];
const BYTES = [Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), Buffer.from([0xff]), Buffer.from([0xfe, 0xff, 0, 0x7b]), Buffer.from('{"a":"\xed\xa0\x80"}', 'latin1'), Buffer.from('a=\xc0\xaf', 'latin1')];

test('parseBody reads every body as body-parser does, and refuses what it refuses', async () => {
  const cases: ['json' | 'form', string, Buffer][] = [
    ...JSON_CASES.map((body) => ['json', 'application/json', Buffer.from(body)] as ['json', string, Buffer]),
    ...FORM_CASES.map((body) => ['form', 'application/x-www-form-urlencoded', Buffer.from(body)] as ['form', string, Buffer]),
    ...BYTES.flatMap((bytes) => [['json', 'application/json', bytes] as ['json', string, Buffer], ['form', 'application/x-www-form-urlencoded', bytes] as ['form', string, Buffer]]),
  ];
  for (const [index, [kind, type, bytes]] of cases.entries()) {
    await fetch(url, { method: 'POST', headers: { 'content-type': type, 'x-case': String(index) }, body: new Uint8Array(bytes) });
    let direct: Outcome;
    try {
      direct = { value: describeValue(parseBody(kind, bytes)) };
    } catch (error) {
      direct = describeError(error as { type?: string; status?: number; code?: string });
    }
    const label = `${kind} ${JSON.stringify(bytes.toString('latin1').slice(0, 60))}`;
    expect({ label, direct }).toEqual({ label, direct: seen.get(String(index)) });
  }
  expect(seen.size).toBe(cases.length);
});
