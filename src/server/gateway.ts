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
import { systemClock, CoreServices, Database, GatewayError, isGatewayError, MasterKey, type Actor, type Clock, type RequestContext } from '../core';
import type { GatewayConfig } from '../config';
import type { ProviderFactory } from '../plugins/provider';
import { defaultProviders, ProviderRegistry } from '../plugins/registry';
import { buildGatewaySchema } from '../schema/build-schema';
import type { GraphQLContext } from '../schema/context';
import { createLoaders } from '../schema/loaders';
import { gatewayValidationRules } from '../schema/validation-rules';
import { formatError } from './errors';
import { createLogger, type Logger } from './logger';
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

function originOf(req: Request, face: string): string {
  return `${face} ${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
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
      core = new CoreServices(db, clock, { lifespanOverrides: config.lifespans, masterKey: masterKeyFor(config, db, logger), authFailuresPerMinute: config.authFailuresPerMinute });
      const providers = new ProviderRegistry(options.providers ?? defaultProviders, core);
      await core.catalog.syncPermissions(providers.all());
      for (const plugin of providers.all()) if (plugin.verifyBearer) core.credentials.addVerifier(plugin.verifyBearer);
      await providers.init();
      await core.start({ expirySweepSeconds: config.expirySweepSeconds });
      if (config.operatorToken) await core.credentials.configureOperatorToken(config.operatorToken);
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

    /** The request's actor; an address with too many failed authentications is refused for a while. */
    const actorOf = async (req: Request): Promise<Actor | null> => {
      const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
      core.authFailures.check(address);
      try {
        return await core.credentials.resolveHeaders(req.headers);
      } catch (error) {
        if (isGatewayError(error) && error.code === 'UNAUTHENTICATED') core.authFailures.fail(address);
        throw error;
      }
    };
    const contextFor = async (req: Request, face: string): Promise<RequestContext> => ({ actor: await actorOf(req), origin: originOf(req, face) });

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

    const rest = express.Router();
    rest.use(express.json({ limit: config.maxBodyBytes }));
    rest.use(express.urlencoded({ extended: false, limit: config.maxBodyBytes }));
    for (const plugin of providers.all()) {
      plugin.routes?.(rest, {
        core,
        context: (req) => contextFor(req, 'rest'),
        origin: (req) => originOf(req, 'rest'),
        logger,
        actorFor: (value: string): Promise<Actor> => core.credentials.resolve(value),
      });
    }

    const { dispose: closeWs, server: wsServer, openSubscriptions } = attachSubscriptions({ httpServer, schema, core, providers, logger });

    const apollo = new ApolloServer<GraphQLContext>({
      schema,
      validationRules: gatewayValidationRules,
      introspection: true,
      includeStacktraceInErrorResponses: false,
      formatError: (formatted, error) => formatError(formatted, error, logger),
      plugins: [ApolloServerPluginDrainHttpServer({ httpServer })],
    });
    await apollo.start();

    app.use(
      '/graphql',
      express.json({ limit: config.maxBodyBytes }),
      expressMiddleware(apollo, {
        context: async ({ req }) => {
          let actor: Actor | null;
          try {
            actor = await actorOf(req);
          } catch (error) {
            if (isGatewayError(error)) throw edgeError(error);
            throw error;
          }
          return { actor, origin: originOf(req, 'graphql'), core, providers, loaders: createLoaders(core) };
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
    const gateway = new Gateway(config, db, core, providers, schema, httpServer, logger, apollo, async () => {
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
