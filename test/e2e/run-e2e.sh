#!/usr/bin/env bash
# End-to-end tests in a real VS Code 1.100.3 workbench (code-server 4.100.3) driven by headless Debian chromium:
#   (a) the in-host mocha suite (test/host/suite, compiled to out/test/host/suite) inside the real extension host,
#   (b) the UI suite (test/e2e/ui.mjs) through the workbench's DOM and the webview iframes.
# Prints each suite's "N passed, N failed" line and a combined one last; exits non-zero on any failure.
#
# Prerequisites: `npm run build` (the extension is loaded from out/ of this repo as extensionDevelopmentPath);
# test/e2e/setup-host.sh is run automatically when code-server is not installed yet (it is a no-op otherwise).
#
# Knobs (environment):
#   E2E_PORT           first port to try (default 8123; the next free one is used if taken)
#   E2E_SUITES         "host ui" (default), or just one of them
#   E2E_EXTENSION_DIR  extension to load (default: this repo)      } to prove the harness against another
#   E2E_FIXTURES_DIR   workspace template (default: test/fixtures/models) } extension / fixture set
#   E2E_KEEP_STATE=1   keep test/e2e/.state/run.* even when everything passed (it is always kept on failure)
# Artifacts (screenshots, browser console, server + extension host logs, *-result.json): test/e2e/artifacts/.
set -uo pipefail   # no -e: a failing suite must not skip the other one, the summary or the cleanup

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
EXT_DIR="$(cd "${E2E_EXTENSION_DIR:-$REPO}" && pwd)"
FIXTURES="${E2E_FIXTURES_DIR:-$REPO/test/fixtures/models}"
SUITES="${E2E_SUITES:-host ui}"
CS="$HERE/host/node_modules/.bin/code-server"
ARTIFACTS="$HERE/artifacts"
t_start=$SECONDS

log() { printf '[e2e] %s\n' "$*"; }
fail_early() { log "$*"; echo "0 passed, 1 failed"; exit 1; }

# ---------------------------------------------------------------------------------------------- prerequisites
if [ ! -x "$CS" ] || [ ! -f "$HERE/host/node_modules/.e2e-host-installed" ]; then
  log "code-server is not installed: running test/e2e/setup-host.sh"
  bash "$HERE/setup-host.sh" || fail_early "setup-host.sh failed"
fi
[ -x /usr/bin/chromium ] || [ -n "${E2E_CHROMIUM:-}" ] || fail_early "no /usr/bin/chromium: run test/e2e/setup-host.sh"
MAIN="$(node -p "require('$EXT_DIR/package.json').main || ''")"
if [ -n "$MAIN" ] && [ ! -f "$EXT_DIR/$MAIN" ] && [ ! -f "$EXT_DIR/$MAIN.js" ]; then
  fail_early "$EXT_DIR/$MAIN does not exist: run 'npm run build' first"
fi
if [[ " $SUITES " == *" host "* ]] && [ ! -f "$EXT_DIR/out/test/host/suite/index.js" ]; then
  fail_early "$EXT_DIR/out/test/host/suite/index.js does not exist: run 'npm run build' first"
fi

# ------------------------------------------------------------------------------------------- state + artifacts
# Everything code-server, the extension host (and onnxruntime-node inside it) and chromium write goes below one
# state dir. Pitfalls: code-server writes ~/.config/code-server/config.yaml (with a random password) and
# ~/.local/share/code-server even for --version; onnxruntime-node 1.30 drops $TMPDIR/mat-debug-<pid>.log and
# ~/.cache/Microsoft/DeveloperTools/.onnxruntime/* from every process that loads it.
mkdir -p "$HERE/.state"
# Keep at most the 5 newest old state dirs (failed runs leave theirs behind for inspection).
ls -1dt "$HERE"/.state/run.* 2>/dev/null | tail -n +6 | xargs -r rm -rf
S="$(mktemp -d "$HERE/.state/run.XXXXXX")"
mkdir -p "$S"/{ud/User,exts,ws,out,home/.config,home/.local/share,home/.cache,tmp}
rm -rf "$ARTIFACTS"; mkdir -p "$ARTIFACTS"

# The workspace is a fresh copy of the fixtures, so a test that writes next to a model never dirties the repo.
if [ -d "$FIXTURES" ]; then
  cp -R "$FIXTURES"/. "$S/ws/"
else
  log "WARNING: $FIXTURES does not exist: the workspace is empty"
fi
log "workspace: $S/ws ($(find "$S/ws" -maxdepth 1 -name '*.onnx' -printf '%f ' 2>/dev/null))"

# A free loopback port. 127.0.0.1, not another host name: webviews need a secure context (service worker).
PORT="$(node -e '
  const net = require("net");
  const tryPort = (p) => { const s = net.createServer(); s.once("error", () => tryPort(p + 1));
    s.listen(p, "127.0.0.1", () => s.close(() => console.log(p))); };
  tryPort(Number(process.argv[1]));' "${E2E_PORT:-8123}")"

printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$PORT" > "$S/config.yaml"
cat > "$S/ud/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "workbench.enableExperiments": false,
  "workbench.tips.enabled": false,
  "git.enabled": false,
  "window.restoreWindows": "none"
}
JSON

# ------------------------------------------------------------------------------------------- start code-server
# setsid: code-server gets its own process group (its pid = the group id), so cleanup can end it together with its
# children. Pitfall: killing only the code-server pid leaves the file watcher / extension host / pty host behind.
CS_PID=""
DRIVER_PID=""
cleanup() {
  # The driver first: it exits on SIGTERM (handler in lib.mjs) and playwright-core then kills its chromium.
  if [ -n "$DRIVER_PID" ] && kill -0 "$DRIVER_PID" 2>/dev/null; then
    kill -TERM "$DRIVER_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$DRIVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DRIVER_PID" 2>/dev/null; wait "$DRIVER_PID" 2>/dev/null
  fi
  DRIVER_PID=""
  if [ -n "$CS_PID" ] && kill -0 "$CS_PID" 2>/dev/null; then
    kill -TERM -- "-$CS_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 -- "-$CS_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$CS_PID" 2>/dev/null
    wait "$CS_PID" 2>/dev/null
  fi
  CS_PID=""
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

log "code-server on http://127.0.0.1:$PORT, state $S"
env TMPDIR="$S/tmp" HOME="$S/home" \
    XDG_CONFIG_HOME="$S/home/.config" XDG_DATA_HOME="$S/home/.local/share" XDG_CACHE_HOME="$S/home/.cache" \
    DIFFUSION_INSPECTOR_TEST_OUT="$S/out" \
  setsid "$CS" --config "$S/config.yaml" --user-data-dir "$S/ud" --extensions-dir "$S/exts" --auth none \
    --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
    --ignore-last-opened "$S/ws" > "$S/code-server.log" 2>&1 < /dev/null &
CS_PID=$!

# /healthz answers within 1-3 s; give a loaded machine 60 s, and stop waiting at once if the server died.
if ! node -e '
  const [url, pid] = process.argv.slice(1); const end = Date.now() + 60000;
  (async () => { for (;;) {
    try { process.kill(Number(pid), 0); } catch { console.error("code-server exited"); process.exit(1); }
    try { if ((await fetch(url)).ok) process.exit(0); } catch {}
    if (Date.now() > end) { console.error("no /healthz after 60 s"); process.exit(1); }
    await new Promise((r) => setTimeout(r, 100)); } })();' "http://127.0.0.1:$PORT/healthz" "$CS_PID"; then
  cp "$S/code-server.log" "$ARTIFACTS/" 2>/dev/null
  tail -20 "$S/code-server.log"
  fail_early "code-server did not start (state kept in $S)"
fi
log "code-server up after $(( SECONDS - t_start )) s"

# ----------------------------------------------------------------------------------------------------- suites
export E2E_BASE_URL="http://127.0.0.1:$PORT" E2E_STATE="$S" E2E_WORKSPACE="$S/ws" E2E_EXTENSION_DIR="$EXT_DIR" \
       E2E_TEST_OUT="$S/out" E2E_ARTIFACTS="$ARTIFACTS"
declare -A SUITE_SCRIPT=([host]=host-suite.mjs [ui]=ui.mjs)
overall_rc=0
for suite in $SUITES; do
  [ -n "${SUITE_SCRIPT[$suite]:-}" ] || { log "unknown suite '$suite'"; overall_rc=1; continue; }
  log "---- $suite suite"
  t0=$SECONDS
  # In the background + `wait`: bash runs a trap only after the foreground command ends, so a Ctrl-C / SIGTERM
  # would otherwise wait for the whole suite before cleaning up.
  node "$HERE/${SUITE_SCRIPT[$suite]}" > >(tee "$ARTIFACTS/$suite-suite-output.log") 2>&1 &
  DRIVER_PID=$!
  wait "$DRIVER_PID"; rc=$?
  DRIVER_PID=
  log "$suite suite: exit $rc, $(( SECONDS - t0 )) s"
  [ "$rc" -eq 0 ] || overall_rc=1
  # A driver that crashed before reporting still has to count as a failure in the totals.
  [ -f "$ARTIFACTS/$suite-result.json" ] || \
    printf '{"suite":"%s","passed":0,"failed":1,"crashed":true}\n' "$suite" > "$ARTIFACTS/$suite-result.json"
done

cleanup
cp "$S/code-server.log" "$ARTIFACTS/" 2>/dev/null
[ -d "$S/ud/logs" ] && cp -R "$S/ud/logs" "$ARTIFACTS/server-logs"   # extension host / remote agent logs
cp "$S"/out/*.json "$ARTIFACTS/" 2>/dev/null   # activated.json, host-results.json

# ---------------------------------------------------------------------------------------------------- summary
echo
echo "==== e2e summary ($(( SECONDS - t_start )) s, artifacts in test/e2e/artifacts/)"
totals="$(node -e '
  const fs = require("fs"), path = require("path"); const [dir, ...suites] = process.argv.slice(1);
  let p = 0, f = 0;
  for (const s of suites) {
    const r = JSON.parse(fs.readFileSync(path.join(dir, s + "-result.json"), "utf8"));
    console.log(`${s} suite: ${r.passed} passed, ${r.failed} failed${r.crashed ? " (driver crashed)" : ""}`);
    p += r.passed; f += r.failed;
  }
  console.log(`${p} passed, ${f} failed`);' "$ARTIFACTS" $(for s in $SUITES; do [ -n "${SUITE_SCRIPT[$s]:-}" ] && echo "$s"; done) 2>&1)"
echo "$totals"
last="$(tail -n1 <<<"$totals")"
[[ "$last" =~ ^[0-9]+\ passed,\ 0\ failed$ ]] || overall_rc=1

if [ "$overall_rc" -eq 0 ] && [ "${E2E_KEEP_STATE:-0}" != 1 ]; then
  rm -rf "$S"
else
  echo "state kept in ${S#$REPO/}"
fi
exit "$overall_rc"
