#!/bin/sh
# The container image's build steps, in one place. The Dockerfile runs each step in its stage;
# a test runs the same steps in a clean copy of the repository and starts the result.
set -eu

case "${1:-}" in
  install-build-deps)
    # Every dependency, TypeScript included. Compiling TypeScript runs no native module, so
    # install scripts (better-sqlite3's native build) are skipped in this stage.
    npm ci --ignore-scripts --no-audit --no-fund
    ;;
  compile)
    # dist/ of @gatehouse/verify, @gatehouse/client, then the server (see package.json).
    npm run build
    ;;
  install-runtime-deps)
    # Production dependencies of the three workspace packages, native modules built for this
    # platform; no devDependencies.
    npm ci --omit=dev --no-audit --no-fund
    ;;
  *)
    echo "usage: deploy/build.sh install-build-deps | compile | install-runtime-deps" >&2
    exit 2
    ;;
esac
