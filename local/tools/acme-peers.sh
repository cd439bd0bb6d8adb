# Sourced by local/bench (acme): N concurrent sessions of npm acme-client 5.4.0 (tests/acme-client/bench.js), each with
# its own account and name, ordering again and again with http-01, against our dev host over HTTPS and, in the same
# run, against Debian's pebble, the ACME test server Let's Encrypt keeps beside Boulder (everything in memory, nothing
# persisted: a ceiling for the protocol's cost, as cfssl without a database is for issuance). Both are polled alike,
# both validate every order's challenge over HTTP against the same challenge server, and neither reuses
# authorizations (ours never does; pebble is told PEBBLE_AUTHZREUSE=0). Pebble's deliberate slowness for test use is
# turned off (PEBBLE_VA_NOSLEEP=1: no random sleep before validating; PEBBLE_WFE_NONCEREJECT=0: no random badNonce).

# pki_bench_acme [--sessions N] [--seconds S]: runs in local/bench after the throwaway stack is up and the dev host
# built; uses its start_host, STATE and PKI_BENCH_API_KEY.
pki_bench_acme() {
  local sessions=8 seconds=20 warm=${PKI_BENCH_WARM_SECONDS:-5}
  while [ $# -gt 0 ]; do
    case $1 in
      --sessions) sessions=$2; shift 2 ;;
      --seconds) seconds=$2; shift 2 ;;
      *) pki_log "local/bench acme: unknown option $1 (--sessions N, --seconds S)"; return 2 ;;
    esac
  done
  local challenge_port https_port i names=() validation_hosts=() eab=()
  challenge_port="$(pki_free_port)"
  https_port="$(pki_free_port)"
  for ((i = 0; i < sessions; i++)); do
    names+=("s$i.bench.test")
    validation_hosts+=("Pki__Acme__ValidationHosts__$i=s$i.bench.test=127.0.0.1")
  done

  # Ours: HTTPS beside HTTP, the bench team granted *.bench.test, validation sent to the sessions' challenge server.
  HOST_EXTRA_URLS=";https://127.0.0.1:$https_port" start_host Pki__Access__Teams__bench__Names__0='*.bench.test' \
    Pki__Acme__EabKeyWrappingKey="$(openssl rand -base64 32)" Pki__Acme__Http01Port="$challenge_port" \
    Pki__Discovery__AllowedNetworks__0=127.0.0.0/8 "${validation_hosts[@]}" || return 1
  local ours=$PKI_HOST_URL ours_pid=$HOST_PID
  local root_id
  root_id="$(curl -sf "$ours/api/ca" | jq -r '[.[] | select(.role == "root")][0].id // empty')"
  [ -n "$root_id" ] || { pki_log "could not find the root CA in $ours/api/ca"; curl -s "$ours/api/ca" >&2; return 1; }
  curl -sf "$ours/api/ca/$root_id/certificate" >"$STATE/acme-trust.pem"
  # One EAB credential per session (a credential binds one account); the HMAC keys stay in this run's memory.
  local credential
  for ((i = 0; i < sessions; i++)); do
    credential="$(curl -sf -H "X-API-Key: $PKI_BENCH_API_KEY" -H 'Content-Type: application/json' \
      --data '{"team":"bench","owner":"bench@bench.test"}' "$ours/api/acme/eab")" ||
      { pki_log "could not create an EAB credential"; return 1; }
    eab+=("$(jq -r '.kid + ":" + .hmacKey' <<<"$credential")")
  done

  # Pebble: its own TLS certificate (a throwaway CA made here), its DNS answered by pebble-challtestsrv (every name is
  # 127.0.0.1), its http-01 validation sent to the same challenge server.
  local pebble_port pebble_mgmt dns_port dns_mgmt
  pebble_port="$(pki_free_port)"; pebble_mgmt="$(pki_free_port)"; dns_port="$(pki_free_port)"; dns_mgmt="$(pki_free_port)"
  mkdir -p "$STATE/pebble"
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$STATE/pebble/ca.key" \
    -subj "/CN=pebble bench TLS CA" -days 2 -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign" -out "$STATE/pebble/ca.pem" 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$STATE/pebble/key.pem" \
    -subj "/CN=127.0.0.1" -out "$STATE/pebble/tls.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$STATE/pebble/tls.ext"
  openssl x509 -req -in "$STATE/pebble/tls.csr" -CA "$STATE/pebble/ca.pem" -CAkey "$STATE/pebble/ca.key" -CAcreateserial \
    -days 2 -extfile "$STATE/pebble/tls.ext" -out "$STATE/pebble/cert.pem" 2>/dev/null
  { echo; cat "$STATE/pebble/ca.pem"; } >>"$STATE/acme-trust.pem"
  jq -n --arg listen "127.0.0.1:$pebble_port" --arg mgmt "127.0.0.1:$pebble_mgmt" --arg dir "$STATE/pebble" \
    --argjson http "$challenge_port" --argjson tls "$(pki_free_port)" \
    '{pebble: {listenAddress: $listen, managementListenAddress: $mgmt, certificate: ($dir + "/cert.pem"),
      privateKey: ($dir + "/key.pem"), httpPort: $http, tlsPort: $tls, ocspResponderURL: "",
      externalAccountBindingRequired: false}}' >"$STATE/pebble/config.json"
  pebble-challtestsrv -defaultIPv4 127.0.0.1 -defaultIPv6 "" -dns01 "127.0.0.1:$dns_port" -http01 "" -https01 "" \
    -tlsalpn01 "" -management "127.0.0.1:$dns_mgmt" >"$STATE/challtestsrv.log" 2>&1 &
  PKI_PIDS+=($!)
  PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
    pebble -config "$STATE/pebble/config.json" -dnsserver "127.0.0.1:$dns_port" >"$STATE/pebble.log" 2>&1 &
  PKI_PIDS+=($!)
  local pebble_pid=$!
  pki_wait_for_port 127.0.0.1 "$pebble_port" 30 || { cat "$STATE/pebble.log" >&2; return 1; }

  # run_sessions NAME DIRECTORY [EAB...]: the node sessions; their JSON summary in $STATE/acme-NAME.json.
  run_sessions() {
    local name=$1 directory=$2
    shift 2
    local joined_eab
    joined_eab="$(IFS=,; echo "$*")"
    NODE_EXTRA_CA_CERTS="$STATE/acme-trust.pem" ACME_DIRECTORY="$directory" ACME_NAMES="$(IFS=,; echo "${names[*]}")" \
      ACME_HTTP01_PORT="$challenge_port" ACME_SECONDS="$seconds" ACME_WARM_SECONDS="$warm" ACME_EAB="$joined_eab" \
      node "$PKI_ROOT/tests/acme-client/bench.js" >"$STATE/acme-$name.json" 2>"$STATE/acme-$name.err" ||
      { pki_log "the $name sessions failed"; cat "$STATE/acme-$name.err" >&2; return 1; }
  }

  pki_log "acme: $sessions acme-client sessions against pebble for $warm s unmeasured, then $seconds s"
  local pebble_cpu0 pebble_cpu
  pebble_cpu0="$(pki_cpu_seconds "$pebble_pid")"
  run_sessions pebble "https://127.0.0.1:$pebble_port/dir" || return 1
  pebble_cpu="$(awk -v a="$(pki_cpu_seconds "$pebble_pid")" -v b="$pebble_cpu0" 'BEGIN { printf "%.1f", a - b }')"
  pki_stop_pid "$pebble_pid"

  pki_log "acme: $sessions acme-client sessions against our dev host for $warm s unmeasured, then $seconds s"
  local metrics before after host_cpu0 azurite_cpu0 host_cpu azurite_cpu
  metrics() { curl -sf -H "X-API-Key: $PKI_BENCH_API_KEY" "$ours/admin/metrics/storage-requests" | jq '[.[]] | add'; }
  # The host polls its queues and runs its timers while idle; that rate, measured for 5 s before the sessions, is
  # taken off the count so that what is left is what the orders cost.
  local idle0 idle1 started ended
  idle0="$(metrics)"; sleep 5; idle1="$(metrics)"
  before="$(metrics)"
  started="$(date +%s.%N)"
  host_cpu0="$(pki_cpu_seconds "$ours_pid")"; azurite_cpu0="$(pki_cpu_seconds "${PKI_AZURITE_PID:-0}")"
  run_sessions ours "https://127.0.0.1:$https_port/api/acme/directory" "${eab[@]}" || return 1
  sleep 2 # what follows the last answers
  after="$(metrics)"
  ended="$(date +%s.%N)"
  host_cpu="$(awk -v a="$(pki_cpu_seconds "$ours_pid")" -v b="$host_cpu0" 'BEGIN { printf "%.1f", a - b }')"
  azurite_cpu="$(awk -v a="$(pki_cpu_seconds "${PKI_AZURITE_PID:-0}")" -v b="$azurite_cpu0" 'BEGIN { printf "%.1f", a - b }')"

  local all_orders
  # Storage requests are counted from before the warm-up to after the measured window, so they are divided by every
  # order completed in that time: the measured ones plus the warm-up's (counted separately by bench.js).
  all_orders="$(jq '.orders + .warmOrders' "$STATE/acme-ours.json")"
  line() {
    jq -r --arg title "$1" '"  \($title) \(.rate * 10 | round / 10)/s  p50 \(.p50 | round) ms  p99 \(.p99 | round) ms  orders \(.orders)  failed \(.failures)  (mean ms: order \(.stages.order | round), challenge \(.stages.challenge | round), finalize+download \(.stages.finalize | round))\(if .firstError then "  (first: " + .firstError + ")" else "" end)"' "$STATE/acme-$2.json"
  }
  echo "acme: $sessions concurrent sessions of npm acme-client 5.4.0 (account each; newOrder, http-01, finalize, download), ${seconds} s measured after ${warm} s unmeasured:"
  line "pebble 2.4 (Debian; in memory):" pebble
  line "ours, one dev host (HTTPS):     " ours
  echo "  storage round trips per order (ours): $(awk -v d="$((after - before))" -v i="$((idle1 - idle0))" -v t0="$started" -v t1="$ended" -v n="$all_orders" \
    'BEGIN { idle = i / 5 * (t1 - t0); printf "%.1f (%.1f in all, less the idle host'"'"'s %.1f/s of queue polls and timers)", (n > 0 ? (d - idle) / n : 0), (n > 0 ? d / n : 0), i / 5 }')"
  echo "  CPU per order (2 cores): pebble $(awk -v c="$pebble_cpu" -v n="$(jq '.orders + .warmOrders' "$STATE/acme-pebble.json")" 'BEGIN { printf "%.1f", (n > 0 ? 1000 * c / n : 0) }') ms; ours $(awk -v h="$host_cpu" -v a="$azurite_cpu" -v n="$all_orders" 'BEGIN { printf "%.1f ms host + %.1f ms Azurite", (n > 0 ? 1000 * h / n : 0), (n > 0 ? 1000 * a / n : 0) }')"
  echo "  ratio: ours / pebble = $(pki_ratio "$(jq .rate "$STATE/acme-ours.json")" "$(jq .rate "$STATE/acme-pebble.json")")"
}
