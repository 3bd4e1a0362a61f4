# Gatehouse server image: docker build -t gatehouse .   (see docs/deploy.md)
# Every build step is a command of deploy/build.sh; a test runs the same script, stage by stage,
# in a clean copy of the repository and starts the result with this file's CMD and ENV.

# 1. Compile the three packages (TypeScript to dist/).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages/verify/package.json packages/verify/
COPY packages/client/package.json packages/client/
COPY packages/server/package.json packages/server/
COPY deploy/build.sh deploy/
RUN deploy/build.sh install-build-deps
COPY packages/verify/src packages/verify/src
COPY packages/verify/tsconfig.build.json packages/verify/
COPY packages/client/src packages/client/src
COPY packages/client/tsconfig.build.json packages/client/
COPY packages/server/src packages/server/src
COPY packages/server/tsconfig.build.json packages/server/
RUN deploy/build.sh compile

# 2. Production dependencies only. better-sqlite3 is a native module: its prebuilt binary is
#    used when one exists for the platform, otherwise it compiles with these tools, which stay
#    in this stage.
FROM node:20-bookworm-slim AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/verify/package.json packages/verify/
COPY packages/client/package.json packages/client/
COPY packages/server/package.json packages/server/
COPY deploy/build.sh deploy/
RUN deploy/build.sh install-runtime-deps

# 3. What running needs: production node_modules, compiled dist/, the command, the skills.
FROM node:20-bookworm-slim AS runtime
ENV HOST=0.0.0.0 \
    PORT=8080 \
    GATEHOUSE_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY --from=deps /app/packages packages
COPY --from=build /app/packages/verify/dist packages/verify/dist
COPY --from=build /app/packages/client/dist packages/client/dist
COPY --from=build /app/packages/server/dist packages/server/dist
COPY packages/server/bin packages/server/bin
COPY packages/server/skills packages/server/skills
COPY deploy/healthcheck.mjs deploy/
# The image's files stay root's (read-only to the server); only the data volume is the server's.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "deploy/healthcheck.mjs"]
CMD ["node", "packages/server/bin/gatehouse.js", "serve"]
