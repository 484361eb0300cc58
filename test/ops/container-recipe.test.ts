import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { parse as parseYaml } from 'yaml';
import { startTestGateway } from '../support/gateway';

/**
 * There is no container engine on these machines, so the image is never built here: this lints
 * the recipe the way hadolint would for the rules keygate cares about, and runs its HEALTHCHECK
 * command against a real gateway.
 */
const ROOT = join(__dirname, '..', '..');
const dockerfile = DockerfileParser.parse(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const stages = dockerfile.getFROMs();
const finalStart = stages[stages.length - 1].getRange().start.line;
const finalStage = dockerfile.getInstructions().filter((i) => i.getRange().start.line >= finalStart);
const keyword = (list: Instruction[], name: string) => list.filter((i) => i.getKeyword() === name);
const fromStage = (copy: Instruction) => (copy as unknown as { getFlags(): { getName(): string; getValue(): string | null }[] }).getFlags().find((f) => f.getName() === 'from')?.getValue();
const engines = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node as string;

function healthcheckCommand(): string[] {
  const [check] = keyword(finalStage, 'HEALTHCHECK');
  const content = check.getArgumentsContent()!;
  return JSON.parse(content.slice(content.indexOf('CMD') + 3).trim());
}

describe('Dockerfile', () => {
  test('multi-stage, pinned base images on the Node the project supports', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const from of stages) {
      expect(from.getBuildStage()).toBeTruthy();
      const tag = from.getImageTag();
      expect(tag).toBeTruthy();
      expect(tag).not.toBe('latest');
      const [major, minor] = (tag!.match(/^(\d+)\.(\d+)/) ?? []).slice(1).map(Number);
      const [wantMajor, wantMinor] = (engines.match(/(\d+)\.(\d+)/) ?? []).slice(1).map(Number);
      expect(major * 1000 + minor).toBeGreaterThanOrEqual(wantMajor * 1000 + wantMinor);
    }
    // The runtime stage takes the build's output, not the sources' tool chain.
    expect(keyword(finalStage, 'COPY').some((c) => fromStage(c) === 'build')).toBe(true);
  });

  test('the runtime stage runs as a non-root user, installs production dependencies only, and has no secret baked in', () => {
    const users = keyword(finalStage, 'USER').map((u) => u.getArgumentsContent()!.trim());
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0', '0:0']).not.toContain(users[users.length - 1]);
    const runs = keyword(dockerfile.getInstructions(), 'RUN').map((r) => r.getArgumentsContent()!);
    expect(runs.some((r) => /npm ci\b.*--omit=dev/.test(r))).toBe(true);
    expect(runs.every((r) => !/npm install\b/.test(r))).toBe(true);
    expect(keyword(dockerfile.getInstructions(), 'ADD')).toEqual([]);
    for (const env of [...keyword(dockerfile.getInstructions(), 'ENV'), ...keyword(dockerfile.getInstructions(), 'ARG')])
      expect(env.getArgumentsContent()).not.toMatch(/MASTER_KEY|OPERATOR_TOKEN|PASSWORD|DATABASE_URL/);
  });

  test('every file it copies exists, and .dockerignore keeps local state out', () => {
    for (const copy of keyword(dockerfile.getInstructions(), 'COPY')) {
      if (fromStage(copy)) continue;
      const args = copy.getArguments().map((a) => a.getValue());
      for (const source of args.slice(0, -1)) expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
    }
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', '.keygate', '.git']) expect(ignored).toContain(entry);
  });

  test('exec-form ENTRYPOINT/CMD run `keygate serve`; EXPOSE matches PORT; the HEALTHCHECK asks /healthz', () => {
    const [entrypoint] = keyword(finalStage, 'ENTRYPOINT');
    const [cmd] = keyword(finalStage, 'CMD');
    expect([...JSON.parse(entrypoint.getArgumentsContent()!), ...JSON.parse(cmd.getArgumentsContent()!)]).toEqual(['node', 'bin/keygate.js', 'serve']);
    expect(keyword(finalStage, 'EXPOSE').map((e) => e.getArgumentsContent())).toContain('4000');
    expect(keyword(finalStage, 'ENV').map((e) => e.getArgumentsContent()).join(' ')).toMatch(/PORT=4000/);
    expect(keyword(finalStage, 'STOPSIGNAL').map((e) => e.getArgumentsContent())).toEqual(['SIGTERM']);
    expect(healthcheckCommand().join(' ')).toContain('/healthz');
  });

  test('the HEALTHCHECK command passes against a running gateway and fails when nothing answers', async () => {
    const [bin, ...args] = healthcheckCommand();
    expect(bin).toBe('node');
    const t = await startTestGateway();
    const port = new URL(t.url).port;
    try {
      // The gateway runs in this process: the check must not block its event loop.
      const run = (env: Record<string, string>) =>
        new Promise<number | null>((resolve) => spawn(process.execPath, args, { env: { PATH: process.env.PATH!, ...env } }).once('exit', (code) => resolve(code)));
      expect(await run({ PORT: port })).toBe(0);
      expect(await run({ PORT: port, KEYGATE_MANAGEMENT_PORT: '1' })).toBe(1);
    } finally {
      await t.close();
    }
  });
});

describe('compose.yaml', () => {
  const compose = parseYaml(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'));

  test('keygate on PostgreSQL: waits for a healthy database, secrets come from the environment, never from the file', () => {
    const { postgres, keygate } = compose.services;
    expect(postgres.image).toMatch(/^postgres:\d+(\.\d+)?/);
    expect(postgres.healthcheck.test.join(' ')).toContain('pg_isready');
    expect(keygate.build).toBe('.');
    expect(keygate.depends_on.postgres.condition).toBe('service_healthy');
    const env = keygate.environment as Record<string, string>;
    expect(new URL(env.DATABASE_URL.replace('${POSTGRES_PASSWORD}', 'x')).hostname).toBe('postgres');
    expect(env.KEYGATE_MASTER_KEY).toMatch(/^\$\{KEYGATE_MASTER_KEY:\?/);
    expect(postgres.environment.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(env.DATABASE_URL).toContain('${POSTGRES_PASSWORD}');
    // Each value is one keygate accepts (with the variables substituted as an operator would).
    const { loadConfig } = jest.requireActual('../../src/config') as typeof import('../../src/config');
    const substituted = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{POSTGRES_PASSWORD\}/, 'pw').replace(/\$\{KEYGATE_MASTER_KEY:\?[^}]*\}/, 'x'.repeat(44)).replace(/\$\{KEYGATE_PUBLIC_URL:-([^}]*)\}/, '$1')]));
    expect(() => loadConfig(substituted)).not.toThrow();
    // The management port is published to the host's loopback only.
    expect(keygate.ports).toContain(`127.0.0.1:${env.KEYGATE_MANAGEMENT_PORT}:${env.KEYGATE_MANAGEMENT_PORT}`);
    expect(Number(String(keygate.stop_grace_period).replace('s', ''))).toBeGreaterThan(Number(env.KEYGATE_SHUTDOWN_GRACE_SECONDS));
  });
});
