#!/usr/bin/env bash
# Installs everything the e2e run needs, idempotently (see /work/shared/docs/e2e-host.md):
#   1. Debian's chromium + libkrb5-dev (apt),
#   2. code-server 4.100.3 (a real VS Code 1.100.3 workbench + Node extension host) from npm into test/e2e/host/.
# Re-running it is cheap: every step is skipped when already done.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HOST_DIR="$HERE/host"
CS_VERSION="4.100.3"   # newest code-server on npm whose engines.node is 20 (4.103+ needs Node 22)
RG_VERSION="1.18.0"    # @vscode/ripgrep-linux-x64: only the static rg binary inside is used
STAMP="$HOST_DIR/node_modules/.e2e-host-installed"
t0=$SECONDS

log() { printf '[setup-host] %s\n' "$*"; }

# ---------------------------------------------------------------------------------------------------------------
# 1. System packages
#    chromium: the browser playwright-core drives (playwright's own browser download cannot reach its CDN here).
#    libkrb5-dev: without gssapi/gssapi.h the `kerberos` native build fails and aborts code-server's postinstall.
# ---------------------------------------------------------------------------------------------------------------
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  log "apt-get install ${need_apt[*]}"
  # A fresh container has empty apt lists: update first in that case, and once more if the install fails
  # (stale lists point at package versions the mirror no longer has).
  if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then $SUDO apt-get update -q; fi
  if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}"; then
    $SUDO apt-get update -q
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}"
  fi
else
  log "chromium and libkrb5-dev already installed"
fi

# ---------------------------------------------------------------------------------------------------------------
# 2. code-server, in its own folder (NOT a devDependency of the extension: 300 MB and native builds).
# ---------------------------------------------------------------------------------------------------------------
mkdir -p "$HOST_DIR"
cd "$HOST_DIR"
if [ ! -f package.json ]; then
  printf '{\n  "name": "vscode-e2e-host",\n  "private": true,\n  "dependencies": {\n    "code-server": "%s"\n  }\n}\n' \
    "$CS_VERSION" > package.json
fi

# The stamp records the lockfile it was installed from, so a changed lockfile triggers a reinstall.
lock_sum() { [ -f package-lock.json ] && sha256sum package-lock.json | cut -d' ' -f1 || echo none; }
installed_version() { node -p "require('./node_modules/code-server/package.json').version" 2>/dev/null || true; }
if [ -x node_modules/.bin/code-server ] && [ -f "$STAMP" ] && [ "$(installed_version)" = "$CS_VERSION" ] \
   && [ "$(cat "$STAMP")" = "$CS_VERSION $(lock_sum)" ]; then
  log "code-server $CS_VERSION already installed ($(( SECONDS - t0 )) s)"
  exit 0
fi

# Pitfall: @vscode/ripgrep@1.15.11 (pinned by code-server's shrinkwrap for lib/vscode) downloads rg from
# api.github.com in its postinstall -> ENOTFOUND, 5 retries, the whole install fails. It first looks for
# $TMPDIR/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz, so we seed that
# file with the static rg binary shipped in the npm package @vscode/ripgrep-linux-x64.
RG_TMP="$(mktemp -d "$HOST_DIR/rg.XXXX")"
trap 'rm -rf "$RG_TMP"' EXIT
mkdir -p "$RG_TMP/vscode-ripgrep-cache-1.15.11" "$RG_TMP/pkg"
log "seeding the ripgrep download cache from @vscode/ripgrep-linux-x64@$RG_VERSION"
(cd "$RG_TMP/pkg" && npm pack --silent "@vscode/ripgrep-linux-x64@$RG_VERSION" >/dev/null \
  && tar xzf "vscode-ripgrep-linux-x64-$RG_VERSION.tgz")
tar czf "$RG_TMP/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" \
  -C "$RG_TMP/pkg/package/bin" rg

# Pitfalls worked around by these variables:
#  - npm_config_unsafe_perm=true: code-server's postinstall.sh refuses to run as root without it
#    (npm 11 warns 'Unknown env config "unsafe-perm"' but still passes it through - harmless).
#  - npm_config_yes=true: node-pty's postinstall runs `npx node-gyp ...`; with yes=false in ~/.npmrc and no TTY,
#    npx aborts with "npx canceled due to missing packages and no YES option".
#  - TMPDIR: where @vscode/ripgrep looks for the seeded tarball (see above).
#  - HOME is left alone on purpose: npm's cache and ~/.npmrc (nodedir=/usr for node-gyp) live there.
export TMPDIR="$RG_TMP" npm_config_unsafe_perm=true npm_config_yes=true
if [ -f package-lock.json ]; then
  log "npm ci (code-server $CS_VERSION from the committed package-lock.json; 40-100 s, mostly node-gyp builds)"
  npm ci --no-audit --no-fund --foreground-scripts
else
  log "npm install (first install: creates package-lock.json; commit it)"
  npm install --no-audit --no-fund --foreground-scripts
fi

# postinstall.sh installs lib/vscode's own dependencies; if it silently did not, the server cannot start.
[ -d node_modules/code-server/lib/vscode/node_modules ] || { log "code-server postinstall did not complete"; exit 1; }
[ "$(installed_version)" = "$CS_VERSION" ] || { log "unexpected code-server version $(installed_version)"; exit 1; }
echo "$CS_VERSION $(lock_sum)" > "$STAMP"
log "code-server $CS_VERSION installed in $(( SECONDS - t0 )) s"
