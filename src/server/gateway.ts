import 'reflect-metadata';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { WebSocketServer } from 'ws';
import { systemClock, CoreServices, Database, GatewayError, isGatewayError, MasterKey, type Clock } from '../core';
import type { GatewayConfig } from '../config';
import type { ProviderFactory } from '../plugins/provider';
import type { RouteDeclaration } from '../plugins/route-kit';
import { defaultProviders, ProviderRegistry } from '../plugins/registry';
import { buildGatewaySchema } from '../schema/build-schema';
import type { GraphQLContext } from '../schema/context';
import { createLoaders } from '../schema/loaders';
import { gatewayValidationRules } from '../schema/validation-rules';
import { formatError } from './errors';
import { mountOAuthDiscovery } from './oauth-discovery';
import { csrfPrevention, requestErrorStatusPlugin } from './graphql-over-http';
import { createLogger, type Logger } from './logger';
import { contextOf, ExpressRouteKit } from './route-kit';
import { consoleRoutes } from './console';
import { attachSubscriptions } from './subscriptions';

export interface GatewayOptions {
  config: GatewayConfig;
  providers?: readonly ProviderFactory[];
  clock?: Clock;
  logger?: Logger;
  /** Count SQL statements (benchmarks, DataLoader tests). */
  countStatements?: boolean;
}

/** The master key: configured, else (embedded only) generated once into the data folder. */
function masterKeyFor(config: GatewayConfig, db: Database, logger: Logger): () => MasterKey {
  let key: MasterKey | undefined;
  return () => {
    if (key) return key;
    if (config.masterKey) return (key = new MasterKey(config.masterKey));
    if (!db.embedded) throw new Error('KEYGATE_MASTER_KEY is required with DATABASE_URL to make or use signing keys.');
    if (config.dataDir.startsWith('memory://')) return (key = new MasterKey(MasterKey.generate()));
    const file = join(config.dataDir, 'keygate-master.key');
    if (!existsSync(file)) {
      writeFileSync(file, MasterKey.generate() + '\n', { mode: 0o600, flag: 'wx' });
      logger.warn('generated a master key into the data folder; set KEYGATE_MASTER_KEY in production', { file });
    }
    return (key = new MasterKey(readFileSync(file, 'utf8')));
  };
}

/**
 * Core and the providers of one gateway, on an open and migrated database: what `Gateway.start`
 * serves. The one place they are put together (and started) for serving.
 */
export async function createServices(config: GatewayConfig, db: Database, options: { clock: Clock; logger: Logger; providers?: readonly ProviderFactory[] }) {
  const core = new CoreServices(db, options.clock, {
    lifespanOverrides: config.lifespans,
    masterKey: masterKeyFor(config, db, options.logger),
    authFailuresPerMinute: config.authFailuresPerMinute,
  });
  const registry = new ProviderRegistry(options.providers ?? defaultProviders, core);
  await registry.init();
  await core.start({ expirySweepSeconds: config.expirySweepSeconds });
  if (config.operatorToken) await core.credentials.configureOperatorToken(config.operatorToken);
  return { core, registry };
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

/** A failure before any resolver runs (credential, rate limit): its code and HTTP status. */
function edgeError(error: GatewayError) {
  return new GraphQLError(error.message, { extensions: { code: error.code, ...(error.details ?? {}), http: { status: error.httpStatus } } });
}

/** One running keygate: database, core, providers, GraphQL over HTTP and WebSocket, REST routes. */
export class Gateway {
  private stopping?: Promise<void>;

  private constructor(
    readonly config: GatewayConfig,
    readonly db: Database,
    readonly core: CoreServices,
    readonly providers: ProviderRegistry,
    /** Every REST route the providers declared (method, path, summary). */
    readonly routes: readonly RouteDeclaration[],
    readonly schema: GraphQLSchema,
    readonly httpServer: Server,
    readonly logger: Logger,
    private readonly apollo: ApolloServer<GraphQLContext>,
    private readonly closeSubscriptions: () => Promise<void>,
    /** Event subscriptions open on this instance (the fan-out's count). */
    readonly openSubscriptions: () => number,
  ) {}

  get url(): string {
    const address = this.httpServer.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  static async start(options: GatewayOptions): Promise<Gateway> {
    const { config } = options;
    const logger = options.logger ?? createLogger(config.logLevel);
    const clock = options.clock ?? systemClock;
    const db = await Database.open({ url: config.databaseUrl, dataDir: config.dataDir, countStatements: options.countStatements });
    let core: CoreServices | undefined;
    try {
      const applied = await db.migrate();
      if (applied.length) logger.info('migrations applied', { migrations: applied });
      const services = await createServices(config, db, { clock, logger, providers: options.providers });
      core = services.core;
      const providers = services.registry;
      const schema = await buildGatewaySchema(providers.ids());
      return await Gateway.serve(config, db, core, providers, schema, logger);
    } catch (error) {
      await core?.stop().catch(() => undefined);
      await db.close().catch(() => undefined);
      throw error;
    }
  }

  private static async serve(config: GatewayConfig, db: Database, core: CoreServices, providers: ProviderRegistry, schema: GraphQLSchema, logger: Logger) {
    const app = express();
    app.disable('x-powered-by');
    app.set('trust proxy', 'loopback');
    const httpServer = createServer(app);

    app.use(consoleRoutes());
    app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
    app.get('/readyz', async (_req, res) => {
      try {
        await db.ping();
        if (await db.pendingMigrations()) return void res.status(503).json({ status: 'migrations pending' });
        res.json({ status: 'ready' });
      } catch {
        res.status(503).json({ status: 'database unreachable' });
      }
    });

    // The gateway's public signing keys, for offline verification of the JWTs it issues.
    app.get('/.well-known/jwks.json', async (_req, res) => {
      try {
        res.set('cache-control', 'public, max-age=300').json(await core.signing.jwks());
      } catch (error) {
        logger.error('jwks unavailable', { error: String((error as Error).message) });
        res.status(503).json({ error: 'unavailable', message: 'Signing keys are unavailable.' });
      }
    });

    mountOAuthDiscovery(app, core.publicUrl, () => core.issuers.all());
    // Each provider declares its REST face on a kit of its own; the declarations stay enumerable.
    const rest = express.Router();
    const routes: RouteDeclaration[] = [];
    for (const plugin of providers.all()) {
      const kit = new ExpressRouteKit(plugin.id, providers.scopedTo(plugin.id), rest, { core, logger, maxBodyBytes: config.maxBodyBytes });
      plugin.routes?.(kit);
      routes.push(...kit.declared());
    }

    const { dispose: closeWs, server: wsServer, openSubscriptions } = attachSubscriptions({ httpServer, schema, core, registry: providers, logger });

    const apollo = new ApolloServer<GraphQLContext>({
      schema,
      validationRules: gatewayValidationRules,
      introspection: true,
      includeStacktraceInErrorResponses: false,
      csrfPrevention,
      formatError: (formatted, error) => formatError(formatted, error, logger),
      plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), requestErrorStatusPlugin],
    });
    await apollo.start();

    app.use(
      '/graphql',
      express.json({ limit: config.maxBodyBytes }),
      expressMiddleware(apollo, {
        context: async ({ req }) => {
          try {
            return { ...(await contextOf(core, req, 'graphql', 'optional')), core, registry: providers, loaders: createLoaders(core) };
          } catch (error) {
            if (isGatewayError(error)) throw edgeError(error);
            throw error;
          }
        },
      }),
    );
    app.use(rest);

    app.use((_req: Request, res: Response) => void res.status(404).json({ error: 'not_found', message: 'No such route.' }));
    // Body-parser and other edge failures: a clear 4xx, never a stack trace.
    app.use((error: { status?: number; type?: string; message?: string }, req: Request, res: Response, _next: NextFunction) => {
      const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
      const message =
        error.type === 'entity.too.large'
          ? `Request body is larger than ${config.maxBodyBytes} bytes.`
          : error.type === 'entity.parse.failed'
            ? 'Request body is not valid JSON.'
            : status < 500
              ? error.message ?? 'Bad request.'
              : 'Internal server error';
      if (status >= 500) logger.error('unhandled route error', { path: req.path, error: String(error.message) });
      const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
      if (req.path.startsWith('/graphql')) res.status(status).json({ errors: [{ message, extensions: { code } }] });
      else res.status(status).json({ error: code.toLowerCase(), message });
    });

    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => resolve());
    });
    core.publicUrl.set(publicUrlFor(config, httpServer.address() as AddressInfo));
    const gateway = new Gateway(config, db, core, providers, routes, schema, httpServer, logger, apollo, async () => {
      await closeWs();
      wsServer.close();
    }, openSubscriptions);
    logger.info('keygate listening', { url: `http://${config.host}:${(httpServer.address() as AddressInfo).port}/graphql`, database: db.embedded ? 'embedded' : 'postgres', providers: providers.ids() });
    return gateway;
  }

  /** Graceful: in-flight HTTP requests finish, WebSocket clients get a clean close, then the database closes. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.closeSubscriptions().catch(() => undefined);
      await this.apollo.stop();
      if (this.httpServer.listening) await new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
      await this.providers.destroy();
      await this.core.stop();
      await this.db.close();
      this.logger.info('keygate stopped');
    })();
    return this.stopping;
  }
}

export type { WebSocketServer };
