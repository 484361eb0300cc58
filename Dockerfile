# syntax=docker/dockerfile:1
# keygate's image: the build stage compiles TypeScript; the runtime stage holds production
# dependencies and dist/ only, and runs as the unprivileged `node` user. Untested here (no
# container engine on the development machines); test/ops/container-recipe.test.ts lints it.

FROM node:20.19-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY scripts ./scripts
COPY bench ./bench
RUN npm run build

FROM node:20.19-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=4000 \
    HOST=0.0.0.0 \
    KEYGATE_DATA_DIR=/var/lib/keygate
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
RUN mkdir -p /var/lib/keygate && chown node:node /var/lib/keygate
USER node
EXPOSE 4000
VOLUME ["/var/lib/keygate"]
# /healthz on the management port when one is set, else on PORT; no curl in the slim image.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.KEYGATE_MANAGEMENT_PORT||process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/keygate.js"]
CMD ["serve"]
