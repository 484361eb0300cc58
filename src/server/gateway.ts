import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { WebSocketServer } from 'ws';
import { CoreServices, Database, GatewayError, isGatewayError, type Clock } from '../core';
import { ConfigError, type GatewayConfig } from '../config';
import type { ProviderFactory } from '../plugins/provider';
import type { RouteDeclaration } from '../plugins/route-kit';
import type { ProviderRegistry } from '../plugins/registry';
import { buildGatewaySchema } from '../schema/build-schema';
import type { GraphQLContext } from '../schema/context';
import { createLoaders } from '../schema/loaders';
import { apolloLimits } from '../schema/validation-rules';
import { proxyTrust } from './client-address';
import { ControlSocket, controlSocketPath } from './control-socket';
import { formatError } from './errors';
import { anonymousPosturePlugin } from './graphql-posture';
import { graphqlMetricsPlugin } from './graphql-metrics';
import { csrfPrevention, requestErrorStatusPlugin } from './graphql-over-http';
import { createKeygate, type Keygate } from './keygate';
import type { Logger } from './logger';
import type { GatewayMetrics } from './metrics';
import { mountOAuthDiscovery } from './oauth-discovery';
import { openApiDocument } from './openapi';
import { LocalCommands } from './operator-commands';
import { markRoute, recordFailure, requestLog } from './request-log';
import { requestIdFrom } from './request-scope';
import { contextOf, ExpressRouteKit } from './route-kit';
import { DirectRoutes, type EdgeStep } from './direct-routes';
import { consoleRoutes } from './console';
import { securityHeaders } from './security-headers';
import { packageVersion } from '../package';
import { attachSubscriptions } from './subscriptions';
import { malformedTextAt, malformedText, verifyUtf8 } from './well-formed';

export interface GatewayOptions {
  config: GatewayConfig;
  providers?: readonly ProviderFactory[];
  clock?: Clock;
  logger?: Logger;
  /** Count SQL statements (benchmarks, DataLoader tests). */
  countStatements?: boolean;
}

/** A failure before any resolver runs (credential, rate limit): its code and HTTP status. */
function edgeError(error: GatewayError) {
  const retryAfter = error.details?.retryAfterSeconds;
  const headers = retryAfter !== undefined ? new Map([['retry-after', String(retryAfter)]]) : undefined;
  return new GraphQLError(error.message, { extensions: { code: error.code, ...(error.details ?? {}), http: { status: error.httpStatus, ...(headers ? { headers } : {}) } } });
}

/**
 * `KEYGATE_PUBLIC_URL`, else `http://localhost:<port>` (the bound address when HOST names one). A
 * configured URL with port 0 follows the socket: port 0 means "pick one".
 */
function publicUrlFor(config: GatewayConfig, address: AddressInfo): string {
  if (config.publicUrl) {
    const url = new URL(config.publicUrl);
    if (url.port === '0') url.port = String(address.port);
    return url.toString().replace(/\/+$/, '');
  }
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${address.port}`;
}

/** One running keygate: the composition root's services behind GraphQL over HTTP and WebSocket, REST routes, health and metrics. */
export class Gateway {
  private stopping?: Promise<void>;
  private draining = false;

  private constructor(
    private readonly keygate: Keygate,
    /** Every REST route the providers declared (method, path, summary). */
    readonly routes: readonly RouteDeclaration[],
    readonly schema: GraphQLSchema,
    readonly httpServer: Server,
    /** The Express app behind `httpServer` (static POST routes are also served before it: server/direct-routes.ts). */
    readonly app: Express,
    private readonly managementServer: Server | null,
    private readonly controlSocket: ControlSocket | null,
    private readonly apollo: ApolloServer<GraphQLContext>,
    private readonly closeSubscriptions: () => Promise<void>,
    /** Event subscriptions open on this instance (the fan-out's count). */
    readonly openSubscriptions: () => number,
  ) {}

  get config(): GatewayConfig {
    return this.keygate.config;
  }
  get db(): Database {
    return this.keygate.db;
  }
  get core(): CoreServices {
    return this.keygate.core;
  }
  get providers(): ProviderRegistry {
    return this.keygate.providers;
  }
  get logger(): Logger {
    return this.keygate.logger;
  }
  get metrics(): GatewayMetrics {
    return this.keygate.metrics;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.httpServer.address() as AddressInfo).port}`;
  }

  /** Where `/metrics`, `/healthz` and `/readyz` are: the management port when set, else the main one. */
  get managementUrl(): string {
    return this.managementServer ? `http://127.0.0.1:${(this.managementServer.address() as AddressInfo).port}` : this.url;
  }

  static async start(options: GatewayOptions): Promise<Gateway> {
    const keygate = await createKeygate(options.config, options);
    try {
      await keygate.startBackground();
      const schema = await buildGatewaySchema(keygate.providers.ids());
      return await Gateway.serve(keygate, schema);
    } catch (error) {
      await keygate.close().catch(() => undefined);
      throw error;
    }
  }

  private static async serve(keygate: Keygate, schema: GraphQLSchema): Promise<Gateway> {
    const { config, core, providers, logger, metrics, db } = keygate;
    // Set once listening; the draining flag and readiness read it.
    const running: { gateway?: Gateway } = {};
    const app = express();
    app.disable('x-powered-by');
    // Answers are no-store (or immutable assets with their own validators): an ETag would only cost a hash per response.
    app.set('etag', false);
    const trust = proxyTrust(config.trustProxy);
    app.set('trust proxy', trust);
    // While draining, every response tells its client to reconnect elsewhere.
    const drainingNotice: EdgeStep = (_req, res, next) => (running.gateway?.draining && res.setHeader('connection', 'close'), next());
    const edge: EdgeStep[] = [requestLog(logger, metrics), securityHeaders(), drainingNotice];
    app.use(...edge);
    const direct = new DirectRoutes(edge, config.maxBodyBytes);
    const httpServer = createServer((req, res) => void (direct.handle(req, res) || app(req, res)));

    app.use(consoleRoutes());
    const health = express.Router();
    health.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
    health.get('/readyz', async (_req, res) => {
      res.set('cache-control', 'no-store');
      if (running.gateway?.draining) return void res.status(503).json({ status: 'shutting down' });
      const problem = await readinessProblem(keygate);
      if (problem) return void res.status(503).json({ status: problem });
      res.json({ status: 'ready' });
    });
    health.get('/metrics', async (_req, res) => {
      res.set('content-type', metrics.registry.contentType).set('cache-control', 'no-store').send(await metrics.registry.metrics());
    });

    let managementServer: Server | null = null;
    if (config.managementPort !== undefined) {
      const management: Express = express();
      management.disable('x-powered-by');
      management.use(requestLog(logger, metrics), securityHeaders(), health);
      management.use((_req: Request, res: Response) => void res.status(404).json({ error: 'not_found', message: 'No such route.' }));
      managementServer = createServer(management);
    } else {
      app.use(health);
    }

    // The gateway's public signing keys, for offline verification of the JWTs it issues.
    app.get('/.well-known/jwks.json', async (_req, res) => {
      try {
        res.set('cache-control', 'public, max-age=300').json(await core.signing.jwks());
      } catch (error) {
        logger.error('jwks unavailable', { err: error });
        res.status(503).json({ error: 'unavailable', message: 'Signing keys are unavailable.' });
      }
    });

    mountOAuthDiscovery(app, core.publicUrl, () => core.issuers.all());
    // Each provider declares its REST face on a kit of its own; the declarations stay enumerable.
    const rest = express.Router();
    const routes: RouteDeclaration[] = [];
    const kits: ExpressRouteKit[] = [];
    for (const plugin of providers.all()) {
      const kit = new ExpressRouteKit(plugin.id, providers.scopedTo(plugin.id), rest, { core, logger: logger.child({ provider: plugin.id }), maxBodyBytes: config.maxBodyBytes, trust, direct });
      plugin.routes?.(kit);
      routes.push(...kit.declared());
      kits.push(kit);
    }
    for (const kit of kits) kit.mountPathErrors();
    // Built on first request: the public URL is known only once listening.
    let openApi: string | undefined;
    app.get('/openapi.json', (_req, res) => {
      openApi ??= JSON.stringify(openApiDocument(routes, { version: packageVersion(), serverUrl: core.publicUrl.get() }));
      res.type('application/json').send(openApi);
    });

    const { dispose: closeWs, server: wsServer, openSubscriptions } = attachSubscriptions({ httpServer, schema, core, registry: providers, logger, trust });
    wsServer.on('headers', (headers, req) => headers.push(`x-request-id: ${requestIdFrom(req.headers['x-request-id'])}`));
    metrics.observe({ subscriptions: openSubscriptions, db });

    const limits = apolloLimits();
    const apollo = new ApolloServer<GraphQLContext>({
      schema,
      validationRules: limits.validationRules,
      parseOptions: limits.parseOptions,
      introspection: true,
      includeStacktraceInErrorResponses: false,
      csrfPrevention,
      formatError: (formatted, error) => formatError(formatted, error, logger),
      plugins: [...limits.plugins, anonymousPosturePlugin(schema), graphqlMetricsPlugin(metrics), requestErrorStatusPlugin],
      // Shutdown is the gateway's: Apollo's own signal handler would re-raise SIGTERM and exit 1.
      stopOnTerminationSignals: false,
    });
    await apollo.start();

    app.use(
      '/graphql',
      (_req: Request, _res: Response, next: NextFunction) => (markRoute(undefined, '/graphql'), next()),
      express.json({ limit: config.maxBodyBytes, verify: verifyUtf8 }),
      (req: Request, _res: Response, next: NextFunction) => next(malformedGraphQLRequest(req)),
      expressMiddleware(apollo, {
        context: async ({ req }) => {
          try {
            return { ...(await contextOf(core, req, 'graphql', 'optional', trust)), core, registry: providers, loaders: createLoaders(core) };
          } catch (error) {
            if (isGatewayError(error) && error.code === 'UNAUTHENTICATED') logger.info('authentication failed', { address: req.ip ?? req.socket.remoteAddress });
            if (isGatewayError(error)) throw edgeError(error);
            throw error;
          }
        },
      }),
    );
    app.use(rest);

    app.use((_req: Request, res: Response) => void res.status(404).json({ error: 'not_found', message: 'No such route.' }));
    // Body-parser and other edge failures: a clear 4xx, never a stack trace; a 5xx's cause goes to the access log.
    app.use((error: { status?: number; type?: string; message?: string }, req: Request, res: Response, _next: NextFunction) => {
      if (isGatewayError(error) && error.code === 'BAD_USER_INPUT') {
        if (req.path.startsWith('/graphql')) return void res.status(400).json({ errors: [{ message: error.message, extensions: { code: error.code, ...error.details } }] });
        return void res.status(400).json({ error: 'bad_request', message: error.message });
      }
      const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
      const message =
        error.type === 'entity.too.large'
          ? `Request body is larger than ${config.maxBodyBytes} bytes.`
          : error.type === 'entity.parse.failed'
            ? 'Request body is not valid JSON.'
            : status < 500
              ? error.message ?? 'Bad request.'
              : 'Internal server error';
      if (status >= 500) recordFailure(res, error);
      const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
      if (req.path.startsWith('/graphql')) res.status(status).json({ errors: [{ message, extensions: { code } }] });
      else res.status(status).json({ error: code.toLowerCase(), message });
    });

    let controlSocket: ControlSocket | null = null;
    try {
      await listen(httpServer, config.port, config.host, 'PORT');
      if (managementServer) await listen(managementServer, config.managementPort!, config.host, 'KEYGATE_MANAGEMENT_PORT');
      const socketPath = db.embedded ? controlSocketPath(config.dataDir) : null;
      if (socketPath) controlSocket = await ControlSocket.listen(socketPath, new LocalCommands(keygate, 'cli (control socket)'), logger);
    } catch (error) {
      await closeWs().catch(() => undefined);
      for (const server of [httpServer, managementServer]) if (server?.listening) server.close();
      await apollo.stop().catch(() => undefined);
      throw error;
    }
    core.publicUrl.set(publicUrlFor(config, httpServer.address() as AddressInfo));
    const gateway = new Gateway(keygate, routes, schema, httpServer, app, managementServer, controlSocket, apollo, async () => {
      await closeWs();
      wsServer.close();
    }, openSubscriptions);
    running.gateway = gateway;
    const port = (httpServer.address() as AddressInfo).port;
    logger.info('keygate listening', {
      url: `http://${config.host}:${port}/graphql`,
      ...(managementServer ? { management: `http://${config.host}:${(managementServer.address() as AddressInfo).port}/metrics` } : {}),
      database: db.embedded ? 'embedded' : 'postgres',
      providers: providers.ids(),
    });
    return gateway;
  }

  /**
   * Graceful, per the public contract: `/readyz` answers 503 at once, no new connections are
   * accepted, WebSocket clients get close code 1001, in-flight requests finish (up to
   * `KEYGATE_SHUTDOWN_GRACE_SECONDS`, then connections are cut), then providers, core and the
   * database close and "keygate stopped" is logged.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.draining = true;
      const graceMs = this.config.shutdownGraceSeconds * 1000;
      const drained = new Promise<void>((resolve) => (this.httpServer.listening ? this.httpServer.close(() => resolve()) : resolve()));
      // A keep-alive connection whose last request just finished is closed as soon as it is idle.
      const idle = setInterval(() => this.httpServer.closeIdleConnections(), 50);
      this.httpServer.closeIdleConnections();
      await this.closeSubscriptions().catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const cut = await Promise.race([
        drained.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
      ]);
      clearTimeout(timer);
      clearInterval(idle);
      if (cut) {
        this.logger.warn('shutdown grace ended; closing the connections still open', { graceSeconds: this.config.shutdownGraceSeconds });
        this.httpServer.closeAllConnections();
        await drained;
      }
      await this.apollo.stop();
      await this.controlSocket?.close();
      if (this.managementServer?.listening) {
        const closed = new Promise<void>((resolve) => this.managementServer!.close(() => resolve()));
        this.managementServer.closeAllConnections();
        await closed;
      }
      await this.keygate.close();
      this.logger.info('keygate stopped');
    })();
    return this.stopping;
  }
}

/** A GraphQL request (query string or body: document, variables, extensions) with text keygate cannot store, refused before Apollo. */
function malformedGraphQLRequest(req: Request): GatewayError | undefined {
  // A GET carries its variables and extensions as JSON text, whose escapes Apollo decodes later.
  const fromQuery = Object.fromEntries(Object.entries(req.query).map(([key, value]) => [key, key !== 'query' && typeof value === 'string' ? parsedOr(value) : value]));
  const at = malformedTextAt(req.body, 'body') ?? malformedTextAt(fromQuery, 'query');
  return at ? malformedText(at) : undefined;
}

function parsedOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Why the gateway is not ready (the database, its migrations, signing), or null when it is. */
async function readinessProblem(keygate: Keygate): Promise<string | null> {
  try {
    await keygate.db.ping();
  } catch {
    return 'database unreachable';
  }
  try {
    if (await keygate.db.pendingMigrations()) return 'migrations pending';
  } catch {
    return 'database unreachable';
  }
  if (keygate.signs) {
    try {
      await keygate.core.signing.jwks();
    } catch (error) {
      keygate.logger.error('readiness: signing keys unusable', { err: error });
      return 'signing unavailable';
    }
  }
  return null;
}

/** Listen, or fail with the variable to blame (a port in use, an address not on this machine). */
async function listen(server: Server, port: number, host: string, portVariable: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES')
        return reject(new ConfigError([{ variable: portVariable, message: `cannot listen on ${host}:${port} (${error.code}); expected a free port this process may use.` }]));
      if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN')
        return reject(new ConfigError([{ variable: 'HOST', message: `${JSON.stringify(host)} is not an address of this machine (${error.code}).` }]));
      reject(error);
    });
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export type { WebSocketServer };
