# Sourced by local/bench (issuance): the same load generator (wrk, POSTing one CSR again and again) against
# `cfssl serve` without a database, `cfssl serve` persisting every certificate to its SQLite certdb, our dev host,
# and two of our dev hosts on one Azurite and one token; prints each rate with p99 latency and the ratios. Each server
# is warmed up with the same load first (PKI_BENCH_WARM_SECONDS, 5), unmeasured.

PKI_WRK_THREADS=2
PKI_WRK_CONNECTIONS=16

# pki_wrk NAME URL BODY_FILE SECONDS [API_KEY] [THREADS CONNECTIONS]: runs wrk, keeps its output in $STATE/wrk-NAME.txt.
pki_wrk() {
  local name=$1 url=$2 body=$3 seconds=$4 key=${5:-} threads=${6:-$PKI_WRK_THREADS} connections=${7:-$PKI_WRK_CONNECTIONS}
  PKI_WRK_BODY="$body" PKI_WRK_API_KEY="$key" wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency \
    -s "$PKI_LOCAL_DIR/tools/wrk-post.lua" "$url" >"$STATE/wrk-$name.txt" 2>&1
}

# From a wrk report: requests/s, p99 in ms, completed requests, non-2xx answers (socket errors count as failures too).
pki_wrk_rate() { awk '/^Requests\/sec:/ {print $2}' "$STATE/wrk-$1.txt"; }
pki_wrk_done() { awk '/ requests in / {print $1}' "$STATE/wrk-$1.txt"; }
pki_wrk_p99() {
  awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub("us", "", v); v /= 1000 } else if (v ~ /ms$/) { sub("ms", "", v) }
       else if (v ~ /s$/) { sub("s", "", v); v *= 1000 } printf "%.1f", v }' "$STATE/wrk-$1.txt"
}
pki_wrk_failures() {
  awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$STATE/wrk-$1.txt"
}

# pki_start_cfssl NAME PORT [DB_CONFIG]: cfssl serve with the bench CA in $STATE/cfssl, logging only fatal errors.
pki_start_cfssl() {
  local name=$1 port=$2 db=${3:-}
  (cd "$STATE/cfssl" && exec cfssl serve -address 127.0.0.1 -port "$port" -ca ca.pem -ca-key ca-key.pem -loglevel 5 \
    ${db:+-db-config "$db"}) >"$STATE/cfssl-$name.log" 2>&1 &
  PKI_PIDS+=($!)
  pki_wait_for_port 127.0.0.1 "$port" 30 || { cat "$STATE/cfssl-$name.log" >&2; return 1; }
}

# pki_bench_issuance_peers URL SECONDS START_SECOND_HOST: the comparison. START_SECOND_HOST is a function that
# starts another dev host on the same storage and token (recording its PID in PKI_PIDS, so it is run in this shell,
# never in a command substitution) and sets PKI_HOST_URL to its base URL.
pki_bench_issuance_peers() {
  local ours=$1 seconds=$2 start_second=$3
  # Every server first gets the same load unmeasured (PKI_BENCH_WARM_SECONDS), as a server that has been up a while:
  # ours runs on .NET, whose JIT recompiles hot code for the first seconds of load (a quarter of its CPU in a cold
  # 10 s run, by perf); cfssl is compiled ahead of time.
  local warm=${PKI_BENCH_WARM_SECONDS:-5}
  mkdir -p "$STATE/cfssl"
  # One P-256 key and CSR for every server; cfssl signs with a P-256 CA made here with openssl, as ours signs with one.
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$STATE/cfssl/leaf.key" \
    -subj "/CN=bench.internal" -addext "subjectAltName=DNS:bench.internal" -out "$STATE/cfssl/leaf.csr" 2>/dev/null
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$STATE/cfssl/ca-key.pem" \
    -subj "/CN=cfssl bench CA" -days 2 -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$STATE/cfssl/ca.pem" 2>/dev/null
  jq -n --rawfile csr "$STATE/cfssl/leaf.csr" '{certificate_request: $csr, hosts: ["bench.internal"]}' >"$STATE/cfssl/sign.json"
  jq -n --rawfile csr "$STATE/cfssl/leaf.csr" '{csr: $csr, profile: "tls-server", owner: "bench@corp.internal"}' >"$STATE/ours.json"

  # cfssl's certdb schema for SQLite (cfssl 1.2's certdb/sqlite migration), made with the sqlite3 CLI.
  sqlite3 "$STATE/cfssl/certs.db" <<'SQL'
CREATE TABLE certificates (serial_number blob NOT NULL, authority_key_identifier blob NOT NULL, ca_label blob,
  status blob NOT NULL, reason int, expiry timestamp, revoked_at timestamp, pem blob NOT NULL,
  PRIMARY KEY(serial_number, authority_key_identifier));
CREATE TABLE ocsp_responses (serial_number blob NOT NULL, authority_key_identifier blob NOT NULL, body blob NOT NULL,
  expiry timestamp, PRIMARY KEY(serial_number, authority_key_identifier),
  FOREIGN KEY(serial_number, authority_key_identifier) REFERENCES certificates(serial_number, authority_key_identifier));
SQL
  printf '{"driver":"sqlite3","data_source":"%s"}\n' "$STATE/cfssl/certs.db" >"$STATE/cfssl/db.json"

  local port pid
  for variant in nodb sqlite; do
    port="$(pki_free_port)"
    if [ "$variant" = sqlite ]; then pki_start_cfssl "$variant" "$port" "$STATE/cfssl/db.json"; else pki_start_cfssl "$variant" "$port"; fi
    pid=${PKI_PIDS[-1]}
    curl -sf --data @"$STATE/cfssl/sign.json" "http://127.0.0.1:$port/api/v1/cfssl/sign" | jq -e '.success' >/dev/null ||
      { pki_log "cfssl ($variant) did not sign the bench CSR"; cat "$STATE/cfssl-$variant.log" >&2; return 1; }
    pki_log "wrk against cfssl serve ($variant) for $warm s unmeasured, then $seconds s"
    pki_wrk "warm-cfssl-$variant" "http://127.0.0.1:$port/api/v1/cfssl/sign" "$STATE/cfssl/sign.json" "$warm"
    pki_wrk "cfssl-$variant" "http://127.0.0.1:$port/api/v1/cfssl/sign" "$STATE/cfssl/sign.json" "$seconds"
    pki_stop_pid "$pid"
  done
  local stored
  stored="$(sqlite3 "$STATE/cfssl/certs.db" 'SELECT COUNT(*) FROM certificates')"
  stored=$((stored - $(pki_wrk_done warm-cfssl-sqlite)))

  # Ours: one host, then two on the same storage and token, each loaded by its own wrk with half the connections.
  curl -sf -H "X-API-Key: $PKI_BENCH_API_KEY" -H 'Content-Type: application/json' --data @"$STATE/ours.json" "$ours/api/certificates" |
    jq -e '.serialNumber' >/dev/null || { pki_log "our host did not issue for the bench CSR"; return 1; }
  pki_log "wrk against our dev host for $warm s unmeasured"
  pki_wrk warm-ours "$ours/api/certificates" "$STATE/ours.json" "$warm" "$PKI_BENCH_API_KEY"
  sleep 2 # what follows the last answers
  # Storage requests by phase (StorageMetrics): all of them, and those sent while a request was being answered.
  local before after before_path after_path
  before="$(curl -sf -H "X-API-Key: $PKI_BENCH_API_KEY" "$ours/admin/metrics/storage-requests" | jq '[.[]] | add')"
  before_path="$(curl -sf -H "X-API-Key: $PKI_BENCH_API_KEY" "$ours/admin/metrics/storage-requests" | jq '[to_entries[] | select(.key | endswith("/request")) | .value] | add // 0')"
  # Where the time goes: CPU seconds of our host and of Azurite (one Node.js process) across the run.
  local host_cpu0 azurite_cpu0 host_cpu azurite_cpu
  host_cpu0="$(pki_cpu_seconds "${FIRST_HOST_PID:-0}")"; azurite_cpu0="$(pki_cpu_seconds "${PKI_AZURITE_PID:-0}")"
  pki_log "wrk against our dev host for $seconds s"
  pki_wrk ours "$ours/api/certificates" "$STATE/ours.json" "$seconds" "$PKI_BENCH_API_KEY"
  sleep 2 # what follows the last answers
  host_cpu="$(awk -v a="$(pki_cpu_seconds "${FIRST_HOST_PID:-0}")" -v b="$host_cpu0" 'BEGIN { printf "%.1f", a - b }')"
  azurite_cpu="$(awk -v a="$(pki_cpu_seconds "${PKI_AZURITE_PID:-0}")" -v b="$azurite_cpu0" 'BEGIN { printf "%.1f", a - b }')"
  after="$(curl -sf -H "X-API-Key: $PKI_BENCH_API_KEY" "$ours/admin/metrics/storage-requests" | jq '[.[]] | add')"
  after_path="$(curl -sf -H "X-API-Key: $PKI_BENCH_API_KEY" "$ours/admin/metrics/storage-requests" | jq '[to_entries[] | select(.key | endswith("/request")) | .value] | add // 0')"

  local second
  "$start_second" || return 1
  second=$PKI_HOST_URL
  curl -sf -H "X-API-Key: $PKI_BENCH_API_KEY" -H 'Content-Type: application/json' --data @"$STATE/ours.json" "$second/api/certificates" |
    jq -e '.serialNumber' >/dev/null || { pki_log "the second host did not issue for the bench CSR"; return 1; }
  pki_log "wrk against the second dev host for $warm s unmeasured"
  pki_wrk warm-second "$second/api/certificates" "$STATE/ours.json" "$warm" "$PKI_BENCH_API_KEY"
  sleep 2
  pki_log "wrk against both dev hosts at once for $seconds s"
  pki_wrk two-a "$ours/api/certificates" "$STATE/ours.json" "$seconds" "$PKI_BENCH_API_KEY" 1 $((PKI_WRK_CONNECTIONS / 2)) &
  local wrk_a=$!
  pki_wrk two-b "$second/api/certificates" "$STATE/ours.json" "$seconds" "$PKI_BENCH_API_KEY" 1 $((PKI_WRK_CONNECTIONS / 2))
  wait "$wrk_a"

  local nodb sqlite one two trips path
  nodb="$(pki_wrk_rate cfssl-nodb)"; sqlite="$(pki_wrk_rate cfssl-sqlite)"; one="$(pki_wrk_rate ours)"
  two="$(awk -v a="$(pki_wrk_rate two-a)" -v b="$(pki_wrk_rate two-b)" 'BEGIN { printf "%.2f", a + b }')"
  trips="$(awk -v d="$((after - before))" -v n="$(pki_wrk_done ours)" 'BEGIN { printf "%.1f", (n > 0 ? d / n : 0) }')"
  path="$(awk -v d="$((after_path - before_path))" -v n="$(pki_wrk_done ours)" 'BEGIN { printf "%.2f", (n > 0 ? d / n : 0) }')"
  echo "issuance under wrk -t$PKI_WRK_THREADS -c$PKI_WRK_CONNECTIONS -d${seconds}s, one CSR posted again and again (certificates/s, p99, failed answers):"
  printf '  cfssl serve, no database:        %8.1f/s  p99 %7s ms  failures %s\n' "$nodb" "$(pki_wrk_p99 cfssl-nodb)" "$(pki_wrk_failures cfssl-nodb)"
  printf '  cfssl serve, SQLite certdb:      %8.1f/s  p99 %7s ms  failures %s  (%s certificates stored)\n' "$sqlite" "$(pki_wrk_p99 cfssl-sqlite)" "$(pki_wrk_failures cfssl-sqlite)" "$stored"
  printf '  ours, one dev host:              %8.1f/s  p99 %7s ms  failures %s  (storage round trips per issuance: %s on the request path, target < 2; %s in all)\n' "$one" "$(pki_wrk_p99 ours)" "$(pki_wrk_failures ours)" "$path" "$trips"
  printf '  ours, two dev hosts, one storage: %7.1f/s  p99 %7s / %s ms  failures %s\n' "$two" "$(pki_wrk_p99 two-a)" "$(pki_wrk_p99 two-b)" "$(( $(pki_wrk_failures two-a) + $(pki_wrk_failures two-b) ))"
  echo "  CPU during our one-host run ($seconds s + 2 s for the follow-ups, 2 cores): dev host ${host_cpu} s, Azurite ${azurite_cpu} s; per certificate $(awk -v h="$host_cpu" -v a="$azurite_cpu" -v n="$(pki_wrk_done ours)" 'BEGIN { printf "%.1f ms host, %.1f ms Azurite", (n > 0 ? 1000 * h / n : 0), (n > 0 ? 1000 * a / n : 0) }')"
  echo "  ratios: ours / cfssl+SQLite = $(pki_ratio "$one" "$sqlite") (target >= 1.0); ours / cfssl without a database = $(pki_ratio "$one" "$nodb") (target >= 0.25); two hosts / one = $(pki_ratio "$two" "$one")"
}
