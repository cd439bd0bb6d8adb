# Shared by local/run, local/test and local/bench: install what is missing, start and stop local services.
# Sourced, not run. Everything it starts is recorded in PKI_PIDS and stopped by pki_stop_all.

PKI_LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PKI_ROOT="$(cd "$PKI_LOCAL_DIR/.." && pwd)"
PKI_PIDS=()
PKI_SOFTHSM_LIB=/usr/lib/softhsm/libsofthsm2.so
# Azurite's well-known development account key: public, documented, and accepted only by emulators.
PKI_AZURITE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

# Builds and test runs leave no MSBuild nodes or compiler servers behind when the script ends.
export MSBUILDDISABLENODEREUSE=1 UseSharedCompilation=false DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

pki_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

pki_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    pki_log "need root to run: $*"; return 1; fi
}

# Installs Debian packages that are missing: softhsm2 (PKCS#11 token), openssl and gnutls-bin (two
# independent X.509 implementations that judge our output), curl and jq (the README's examples),
# GNU time (local/bench measures OpenSSL's and our peak memory with it), faketime (a test runs the infra check
# two years ahead to show its verdict does not depend on the date), and aiosmtpd, the SMTP server the
# notification tests and local/run mail to (Debian's package, for Debian's /usr/bin/python3, whatever python3 is first
# on PATH), certbot, lego, uacme and dehydrated, the ACME clients the ACME tests enroll with, and pebble, whose
# pebble-challtestsrv is the DNS server lego's dns-01 hook writes TXT records to and the service's dns-01 validation
# asks. The README test allows its examples these packages' programs beside a fresh Debian's, so keep the list here.
pki_install_prerequisites() {
  local missing=()
  [ -e "$PKI_SOFTHSM_LIB" ] && command -v softhsm2-util >/dev/null || missing+=(softhsm2)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v certtool >/dev/null || missing+=(gnutls-bin)
  command -v curl >/dev/null || missing+=(curl)
  command -v jq >/dev/null || missing+=(jq)
  [ -x /usr/bin/time ] || missing+=(time)
  command -v faketime >/dev/null || missing+=(faketime)
  { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; } || missing+=(python3-aiosmtpd)
  # ACME clients the ACME tests run against the dev host (real binaries, Debian's packages).
  [ -x /usr/bin/certbot ] || missing+=(certbot)
  [ -x /usr/bin/lego ] || missing+=(lego)
  [ -x /usr/bin/pebble-challtestsrv ] || missing+=(pebble)
  [ -x /usr/bin/uacme ] || missing+=(uacme)
  [ -x /usr/bin/dehydrated ] || missing+=(dehydrated)
  # chromium: the dashboard's browser tests (Playwright drives it by its path; Playwright's own browsers are never downloaded).
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  if [ ${#missing[@]} -gt 0 ]; then
    pki_log "installing ${missing[*]} with apt-get"
    pki_as_root apt-get update -qq
    pki_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  command -v dotnet >/dev/null || { pki_log "the .NET 10 SDK is required (dotnet not on PATH)"; return 1; }
  command -v npm >/dev/null || { pki_log "Node.js 20 or later and npm are required for Azurite"; return 1; }
  local node_major
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$node_major" -ge 20 ] || { pki_log "Node.js 20 or later is required for Azurite; found $(node --version)"; return 1; }
  if [ ! -x "$PKI_LOCAL_DIR/node_modules/.bin/azurite" ]; then
    pki_log "installing Azurite from local/package-lock.json"
    (cd "$PKI_LOCAL_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  # The npm acme-client the ACME renewal-information test and local/bench acme drive (tests/acme-client/package-lock.json).
  if [ ! -f "$PKI_LOCAL_DIR/../tests/acme-client/node_modules/acme-client/package.json" ]; then
    pki_log "installing acme-client from tests/acme-client/package-lock.json"
    (cd "$PKI_LOCAL_DIR/../tests/acme-client" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

# local/bench only (local/test needs none of it): nmap, the scanner the discovery suite is measured
# against, GNU time, which takes both scanners' wall clock and peak memory, and wrk, the C load generator
# the revocation suite loads our OCSP responder and OpenSSL's with (and issuance ours and cfssl's), cfssl and sqlite3
# (cfssl serve with its SQLite certdb is the issuance suite's reference).
pki_install_bench_prerequisites() {
  local missing=()
  command -v nmap >/dev/null || missing+=(nmap)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v cfssl >/dev/null || missing+=(golang-cfssl)
  command -v sqlite3 >/dev/null || missing+=(sqlite3)
  [ -x /usr/bin/time ] || missing+=(time)
  if [ ${#missing[@]} -gt 0 ]; then
    pki_log "installing ${missing[*]} with apt-get (bench only)"
    pki_as_root apt-get update -qq
    pki_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  command -v dotnet >/dev/null || { pki_log "the .NET 10 SDK is required (dotnet not on PATH)"; return 1; }
}

# Benchmarks' helpers.
# CPU seconds a process has used so far (user + system), from /proc; 0 when it is gone.
pki_cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0; }

pki_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

pki_stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

pki_free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

pki_port_in_use() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

pki_wait_for_port() { # host port seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    sleep 0.1
  done
  pki_log "nothing listens on $1:$2 after $3 s"
  return 1
}

# pki_start_azurite STATE_DIR BLOB_PORT QUEUE_PORT TABLE_PORT: starts Azurite with state on disk, sets PKI_STORAGE.
# PKI_AZURITE_OPTIONS (an array) adds options; local/bench renewal keeps its state in memory with it.
pki_start_azurite() {
  local dir=$1 blob=$2 queue=$3 table=$4 port
  for port in "$blob" "$queue" "$table"; do
    if pki_port_in_use 127.0.0.1 "$port"; then
      pki_log "port $port is taken (another Azurite or local/run?); stop it or choose other ports"
      return 1
    fi
  done
  mkdir -p "$dir"
  # Azurite refuses --location beside --inMemoryPersistence; it starts in $dir either way.
  local location=(--location "$dir")
  case " ${PKI_AZURITE_OPTIONS[*]-} " in *" --inMemoryPersistence "*) location=() ;; esac
  # Its own session: a Ctrl-C in the terminal reaches the script's trap, not Azurite, which then gets exactly one
  # SIGTERM from pki_stop_all. Azurite saves its state to disk on that signal, but a second signal during that save
  # (Ctrl-C's SIGINT, then the trap's SIGTERM) makes it throw and exit with the save half done, losing the data.
  (cd "$dir" && exec setsid "$PKI_LOCAL_DIR/node_modules/.bin/azurite" --silent --disableTelemetry ${location[@]+"${location[@]}"} --skipApiVersionCheck \
    --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" ${PKI_AZURITE_OPTIONS[@]+"${PKI_AZURITE_OPTIONS[@]}"}) >"$dir/azurite.log" 2>&1 &
  PKI_PIDS+=($!)
  PKI_AZURITE_PID=$!
  pki_wait_for_port 127.0.0.1 "$table" 30 || { cat "$dir/azurite.log" >&2; return 1; }
  PKI_STORAGE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$PKI_AZURITE_KEY;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
  export PKI_STORAGE
  pki_log "Azurite listening (tables on 127.0.0.1:$table, state in $dir)"
}

# pki_start_mail_sink MAIL_DIR PORT: a local SMTP server (Debian's aiosmtpd, which pki_install_prerequisites installs)
# on 127.0.0.1:PORT that keeps every mail it accepts in the Maildir MAIL_DIR (one file a mail in MAIL_DIR/new), so
# that notices can be read locally with nothing sent anywhere.
pki_start_mail_sink() {
  local dir=$1 port=$2
  if pki_port_in_use 127.0.0.1 "$port"; then
    pki_log "port $port is taken (another local/run?); stop it or choose another with PKI_SMTP_PORT"
    return 1
  fi
  # The handler makes the Maildir (new/, cur/, tmp/) itself, and only where no folder is yet.
  mkdir -p "$(dirname "$dir")"
  # Its own session, as Azurite: a Ctrl-C reaches the script's trap, which stops it.
  setsid /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$dir" >"$dir.log" 2>&1 &
  PKI_PIDS+=($!)
  pki_wait_for_port 127.0.0.1 "$port" 30 || { cat "$dir.log" >&2; return 1; }
  pki_log "mail server listening on 127.0.0.1:$port, mails kept in $dir/new"
}

# pki_init_token STATE_DIR LABEL: a SoftHSM2 token under STATE_DIR with its own config; a random PIN kept
# in STATE_DIR/pin (mode 600). Reuses the token when it exists. Exports SOFTHSM2_CONF and PKI_PIN.
pki_init_token() {
  local dir=$1 label=$2
  mkdir -p "$dir/tokens"
  chmod 700 "$dir"
  export SOFTHSM2_CONF="$dir/softhsm2.conf"
  printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' "$dir/tokens" >"$SOFTHSM2_CONF"
  if [ ! -s "$dir/pin" ]; then
    (umask 077 && head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/pin")
  fi
  PKI_PIN="$(cat "$dir/pin")"
  export PKI_PIN
  # softhsm2-util pads labels with spaces; match the whole label, or every start would add a token.
  if ! softhsm2-util --show-slots 2>/dev/null | grep -Eq "^[[:space:]]*Label:[[:space:]]*$label[[:space:]]*\$"; then
    local so_pin
    so_pin="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    softhsm2-util --init-token --free --label "$label" --so-pin "$so_pin" --pin "$PKI_PIN" >/dev/null
    pki_log "initialised SoftHSM2 token '$label' in $dir/tokens"
  fi
}

# pki_new_api_key: prints a new random API key (pki_ and 43 base64url characters; 256 bits from the kernel's CSPRNG).
pki_new_api_key() {
  printf 'pki_%s' "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
}

# pki_key_sha256 KEY: prints the key's SHA-256 in hex, the form Pki:Access:ApiKeys:<name>:Sha256 takes.
pki_key_sha256() {
  printf %s "$1" | sha256sum | cut -d' ' -f1
}

# pki_start_throwaway_stack NAME LABEL: installs what is missing, then Azurite and a token labelled
# LABEL in a new temporary folder (STATE) on free ports; everything is stopped and removed on exit.
pki_start_throwaway_stack() {
  pki_install_prerequisites
  STATE="$(mktemp -d "/tmp/pki-$1.XXXXXX")"
  trap 'pki_stop_all; rm -rf "$STATE"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  pki_start_azurite "$STATE/azurite" "$(pki_free_port)" "$(pki_free_port)" "$(pki_free_port)"
  pki_init_token "$STATE/softhsm" "$2"
}

# Stops what was started, one SIGTERM each, and waits: Azurite writes its state to disk as it stops (it saves only
# every 5 s otherwise, so a kill -9 loses up to the last 5 s of acknowledged writes).
pki_stop_all() {
  local pid
  for pid in "${PKI_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PKI_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  PKI_PIDS=()
}

# pki_bicep: prints the path of the Bicep CLI, restoring it first when missing. It comes from NuGet (package
# Azure.Bicep.CommandLine.linux-x64, version pinned in local/tools/bicep/bicep.csproj) through `dotnet restore`
# of that download-only project: no other download is needed or allowed.
PKI_BICEP_VERSION=0.49.2
pki_bicep() {
  local packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
  local bin="$packages/azure.bicep.commandline.linux-x64/$PKI_BICEP_VERSION/tools/bicep"
  if [ ! -f "$bin" ]; then
    pki_log "restoring the Bicep CLI $PKI_BICEP_VERSION from NuGet"
    dotnet restore "$PKI_LOCAL_DIR/tools/bicep/bicep.csproj" -nologo -v quiet >&2 || return 1
  fi
  [ -f "$bin" ] || { pki_log "the Bicep CLI is not at $bin after restore"; return 1; }
  [ -x "$bin" ] || chmod +x "$bin"
  printf '%s\n' "$bin"
}

# pki_check_infra: builds infra/main.bicep and its dev parameters and lints every Bicep file under infra/ with
# infra/bicepconfig.json. Fails on any error or warning: bicep lint can exit 0 with warnings, so its output is read.
# pki_check_dashboard: the dashboard's bundle (functions/Dashboard/dist, committed, embedded by Pki.Functions) must be
# what its source builds to. Installs the client's build tools from functions/Dashboard/package-lock.json (esbuild and
# TypeScript, exact versions), type-checks the source, builds it into a temporary folder and compares byte for byte;
# a difference fails with the command that rebuilds it. (The bundle is committed so that `dotnet build` alone, as
# `func start` or a deployment pipeline runs it, serves the dashboard without Node.js.)
pki_check_dashboard() {
  local dir="$PKI_ROOT/functions/Dashboard" out status=0 file
  if [ ! -x "$dir/node_modules/.bin/esbuild" ] || [ ! -x "$dir/node_modules/.bin/tsc" ]; then
    pki_log "installing the dashboard's build tools from functions/Dashboard/package-lock.json"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || return 1
  fi
  (cd "$dir" && npm run --silent typecheck) || { pki_log "functions/Dashboard: TypeScript errors (above)"; return 1; }
  out="$(mktemp -d)"
  (cd "$dir" && npm run --silent build -- --outdir="$out" --log-level=warning) || status=1
  for file in app.js app.css; do
    cmp -s "$out/$file" "$dir/dist/$file" || { pki_log "functions/Dashboard/dist/$file is not what its source builds to: run (cd functions/Dashboard && npm run build) and commit dist/"; status=1; }
  done
  rm -rf "$out"
  [ "$status" -eq 0 ] && pki_log "functions/Dashboard: source type-checks and dist/ matches it"
  return "$status"
}

pki_check_infra() {
  local bicep out status=0 file
  bicep="$(pki_bicep)" || return 1
  out="$(mktemp)"
  pki_log "checking infra/ with Bicep $("$bicep" --version | awk '{print $4}')"
  (cd "$PKI_ROOT" &&
    "$bicep" build infra/main.bicep --stdout >/dev/null 2>>"$out" &&
    "$bicep" build-params infra/main.dev.bicepparam --stdout >/dev/null 2>>"$out") || status=1
  (cd "$PKI_ROOT" &&
    "$bicep" lint --pattern 'infra/**/*.bicep' >>"$out" 2>&1 &&
    "$bicep" lint --pattern 'infra/**/*.bicepparam' >>"$out" 2>&1) || status=1
  if grep -Eq ' : (Error|Warning) ' "$out"; then status=1; fi
  if [ "$status" -ne 0 ]; then
    cat "$out" >&2
    pki_log "infra/ has Bicep errors or warnings (above)"
  else
    pki_log "infra/ builds and lints clean"
  fi
  rm -f "$out"
  return "$status"
}

# pki_report_api_versions [MAX_AGE_DAYS]: reports, without failing, every resource in infra/ whose API version is
# older than MAX_AGE_DAYS (default 0: not the newest the pinned CLI knows). That rule ages with the calendar, so
# infra/bicepconfig.json keeps it off and pki_check_infra's verdict never depends on the date; this runs it on a
# copy of infra/ with the rule on at warning. Prints one line per resource and a summary; returns 1 only when the
# Bicep CLI cannot run.
pki_report_api_versions() {
  local max_age=${1:-0} bicep tmp findings count
  bicep="$(pki_bicep)" || return 1
  tmp="$(mktemp -d)"
  cp -r "$PKI_ROOT/infra" "$tmp/infra"
  jq --argjson age "$max_age" \
    '.analyzers.core.rules["use-recent-api-versions"] = {level: "warning", maxAgeInDays: $age}' \
    "$PKI_ROOT/infra/bicepconfig.json" >"$tmp/infra/bicepconfig.json" || { rm -rf "$tmp"; return 1; }
  findings="$(cd "$tmp" && "$bicep" lint --pattern 'infra/**/*.bicep' 2>&1 | { grep ' use-recent-api-versions: ' || true; } |
    sed -E "s#^$tmp/##; s#^(.*)\(([0-9]+),[0-9]+\) : Warning use-recent-api-versions: Use more recent API version for '([^']+)'\. '([^']+)' is ([0-9]+) days old.*Acceptable versions: ([^[]+) \[.*#\1:\2 \3@\4 is \5 days old; newer: \6#" |
    sort -u)"
  rm -rf "$tmp"
  if [ -z "$findings" ]; then
    pki_log "API versions: every resource in infra/ uses one at most $max_age days old or the newest Bicep $PKI_BICEP_VERSION knows"
  else
    count="$(printf '%s\n' "$findings" | wc -l)"
    printf '%s\n' "$findings"
    pki_log "API versions: $count resource reference(s) in infra/ could use a newer API version (above; not a failure, local/check-api-versions reports it)"
  fi
}
