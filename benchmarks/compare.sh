#!/usr/bin/env bash
# Side-by-side load comparison: HAProxy, nginx and Veer in front of the same nginx backend, one run.
#
# Each proxy gets one worker (HAProxy nbthread 1, nginx worker_processes 1, Veer ioThreads 1) pinned
# to CPU 1; the backend and wrk share CPU 0. Each scenario runs every proxy RUNS times, interleaved,
# and reports medians, each figure also as a ratio to HAProxy's from the same run.
#
# cpu_us/req is the CPU time the proxy's processes used (all threads: for Veer also JIT and GC) divided by
# the requests served: the cost per core, and a figure that holds up when other work shares CPU 1, which
# req/s and latency do not. Veer runs through ./veer (its default JVM flags unless VEER_JAVA_OPTS is set)
# and gets VEER_JIT_WARMUP seconds of load first, so it is measured as the long-running server it is,
# with its hot path compiled, not while the JIT is still at work.
#
#   benchmarks/compare.sh                       # full run (about 13 minutes)
#   DURATION=5 RUNS=1 benchmarks/compare.sh     # quick look
#   SCENARIOS="c50" benchmarks/compare.sh       # one scenario: c50, c1000-1k, c1000-64k, c50-rate
#
# c50-rate offers every proxy the same load (RATE requests/s over 50 connections, h2load) instead of as much as
# it takes: at saturation the proxy that serves more also loads CPU 0 more, and its latency then measures wrk and
# the backend as much as the proxy. Its percentiles come from h2load's per-request log.
#
# Loopback only. Installs nginx, haproxy and wrk from Debian's packages when missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-5}"
VEER_JIT_WARMUP="${VEER_JIT_WARMUP:-60}"
# Idle keep-alive upstream connections nginx and Veer keep per backend (HAProxy keeps them all). Below the
# scenario's concurrency, every request beyond it opens and closes an upstream connection.
UPSTREAM_IDLE="${UPSTREAM_IDLE:-1024}"
RUNS="${RUNS:-3}"
SCENARIOS="${SCENARIOS:-c50 c1000-1k c1000-64k c50-rate}"
# The c50-rate scenario's offered load: below what each proxy serves at c50 on the 2-core VMs measured so far.
RATE="${RATE:-35000}"
PROXIES="${PROXIES:-haproxy nginx veer}"
PROXY_CPU="${PROXY_CPU:-1}"
LOAD_CPU="${LOAD_CPU:-0}"
work="$(mktemp -d /tmp/veer-compare.XXXXXX)"; chmod 755 "$work"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$work/backend.pid" ] && kill "$(cat "$work/backend.pid")" 2>/dev/null || true
  [ -f "$work/nginx-proxy.pid" ] && kill "$(cat "$work/nginx-proxy.pid" 2>/dev/null)" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

install_tools() {
  local need=()
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
  command -v h2load >/dev/null 2>&1 || need+=(nghttp2-client)
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]}" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  export PATH="$PATH:/usr/sbin"
}

# shellcheck source=benchmarks/lib.sh
. "$root/benchmarks/lib.sh"

start_backend() {
  blue_port=$(free_port); green_port=$(free_port)
  mkdir -p "$work/www"
  head -c 1024 /dev/zero | tr '\0' 'a' > "$work/www/1k"
  head -c 65536 /dev/zero | tr '\0' 'b' > "$work/www/64k"
  cat > "$work/backend.conf" <<EOF
worker_processes 1;
pid $work/backend.pid;
error_log $work/backend-error.log warn;
daemon on;
worker_rlimit_nofile 16384;
events { worker_connections 16384; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  # The backend shares CPU 0 with wrk, and with file-served "ok" it saturated it first (open, fstat, pread,
  # close per request): every proxy then waited on CPU 0 and req/s measured the backend. So "/" answers from
  # memory and the 1k/64k files stay open.
  open_file_cache max=16 inactive=600s;
  open_file_cache_valid 600s;
  server { listen 127.0.0.1:$blue_port; root $work/www; location = / { default_type text/plain; return 200 "ok\n"; } location /1k { try_files /1k =404; } location /64k { try_files /64k =404; } }
  server { listen 127.0.0.1:$green_port; root $work/www; location = / { default_type text/plain; return 200 "ok\n"; } location /1k { try_files /1k =404; } location /64k { try_files /64k =404; } }
}
EOF
  taskset -c "$LOAD_CPU" nginx -c "$work/backend.conf" -p "$work"
  wait_port "$blue_port"; wait_port "$green_port"
}

start_haproxy() {
  local port=$1
  cat > "$work/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 8000
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  http-reuse always
frontend fe
  bind 127.0.0.1:$port
  default_backend shop
backend shop
  balance roundrobin
  # The same work as the others: nginx adds X-Forwarded-For, Veer X-Forwarded-For/-Proto/-Host.
  option forwardfor
  server blue 127.0.0.1:$blue_port weight 90
  server green 127.0.0.1:$green_port weight 10
EOF
  taskset -c "$PROXY_CPU" haproxy -f "$work/haproxy.cfg" -q > "$work/haproxy.log" 2>&1 &
  echo $!
}

start_nginx() {
  local port=$1
  cat > "$work/nginx-proxy.conf" <<EOF
worker_processes 1;
pid $work/nginx-proxy.pid;
error_log $work/nginx-proxy-error.log warn;
daemon off;
worker_rlimit_nofile 16384;
events { worker_connections 16384; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream blue { server 127.0.0.1:$blue_port; keepalive $UPSTREAM_IDLE; }
  upstream green { server 127.0.0.1:$green_port; keepalive $UPSTREAM_IDLE; }
  split_clients "\${request_id}" \$version { 90% blue; * green; }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://\$version;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
EOF
  taskset -c "$PROXY_CPU" nginx -c "$work/nginx-proxy.conf" -p "$work" > "$work/nginx-proxy.log" 2>&1 &
  echo $!
}

start_veer() {
  local port=$1 admin_port
  admin_port=$(free_port)
  cat > "$work/veer.yaml" <<EOF
proxy:
  listen: "127.0.0.1:$port"
  ioThreads: 1
  poolSizePerEndpoint: $UPSTREAM_IDLE
  # nginx's upstream keepalive_timeout (60s by default; the backend keeps connections 120s): the pool outlives the
  # other proxies' runs in between, as nginx's does, instead of Veer's 4s default made for backends that close early.
  limits: { upstreamIdleTimeout: 60s }
admin:
  listen: "127.0.0.1:$admin_port"
state:
  dir: "$work/veer-data"
services:
  - name: shop
    match: { pathPrefix: "/" }
    versions:
      - { name: blue,  endpoints: ["127.0.0.1:$blue_port"] }
      - { name: green, endpoints: ["127.0.0.1:$green_port"] }
    weights: { blue: 90, green: 10 }
EOF
  # ./veer execs java: the pid is the JVM's. It applies its default JVM flags unless VEER_JAVA_OPTS is set.
  taskset -c "$PROXY_CPU" "$root/veer" run --config "$work/veer.yaml" > "$work/veer.log" 2>&1 &
  echo $!
}

# wrk with a Lua summary that prints the percentiles wrk --latency leaves out (p99.9) and all errors.
cat > "$work/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d rps=%.1f p50=%.3f p99=%.3f p999=%.3f errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    e.connect + e.read + e.write + e.timeout + e.status))
end
EOF

run_wrk() { # port path connections seconds
  taskset -c "$LOAD_CPU" wrk -t1 -c"$3" -d"$4"s --timeout 10s -s "$work/report.lua" "http://127.0.0.1:$1$2" 2>&1 \
    | awk '/^RESULT/ {print}'
}

# CPU clock ticks (user + system) used so far by a process and its children (nginx's worker is a child).
cpu_ticks() {
  local total=0 p
  for p in "$1" $(ps -o pid= --ppid "$1" 2>/dev/null); do
    total=$((total + $(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# Busy and all clock ticks of one CPU so far (/proc/stat; idle and iowait are the not-busy ones).
cpu_busy_ticks() { awk -v c="cpu$1" '$1 == c {print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }

# run_wrk, plus the proxy's CPU microseconds per request over the run and how busy the load CPU was: near 100%,
# wrk and the backend, not the proxy, set the pace, and req/s says more about them than about the proxy.
# h2load at RATE requests/s in all over the connections (HTTP/1.1), as one RESULT line like run_wrk's.
run_h2load() { # port path connections seconds
  local log="$work/h2load.log"
  rm -f "$log"
  taskset -c "$LOAD_CPU" h2load --h1 -t1 -c"$3" --rps=$((RATE / $3)) -D"$4" --log-file="$log" \
    "http://127.0.0.1:$1$2" > "$work/h2load.out" 2>&1 || true
  local errors
  # "requests: N total, N started, N done, N succeeded, ...": what did not succeed (errors, timeouts, 4xx/5xx).
  errors=$(awk '/^requests:/ {print $2 - $8}' "$work/h2load.out")
  cut -f3 "$log" | sort -n | awk -v secs="$4" -v errors="$errors" '{v[NR] = $1}
    function pct(q) { i = int(q * NR); if (i < 1) i = 1; return v[i] / 1000 }
    END {printf "RESULT requests=%d rps=%.1f p50=%.3f p99=%.3f p999=%.3f errors=%d\n",
      NR, NR / secs, pct(0.5), pct(0.99), pct(0.999), errors + 0}'
}

measure() { # proxy port path connections seconds
  local before after line requests busy0 all0 busy1 all1
  before=$(cpu_ticks "${pid[$1]}")
  read -r busy0 all0 < <(cpu_busy_ticks "$LOAD_CPU")
  line=$($runner "$2" "$3" "$4" "$5")
  read -r busy1 all1 < <(cpu_busy_ticks "$LOAD_CPU")
  after=$(cpu_ticks "${pid[$1]}")
  requests=$(echo "$line" | tr ' ' '\n' | grep '^requests=' | cut -d= -f2)
  echo "$line cpu_us=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="${requests:-0}" \
    'BEGIN {printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0)}') load_busy=$(awk -v b=$((busy1 - busy0)) \
    -v a=$((all1 - all0)) 'BEGIN {printf "%.0f", (a > 0 ? 100 * b / a : 0)}')"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

rss_mib() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

idle_connections_rss() { # pid port count; prints the RSS and how many connections were answered and held
  local held_file="$work/idle-held"
  rm -f "$held_file"
  python3 - "$2" "$3" "$held_file" <<'EOF' &
import socket, sys, time, resource
port, count, held_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
resource.setrlimit(resource.RLIMIT_NOFILE, (count + 1024, count + 1024))
socks = []
for i in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n")
    socks.append(s)
def answered(s):
    try:
        return len(s.recv(4096)) > 0
    except OSError:
        return False
# A connection over the proxy's cap is accepted and closed (or reset): it answers nothing.
held = sum(1 for s in socks if answered(s))
with open(held_file, "w") as f:
    f.write(str(held))
time.sleep(15)
EOF
  local holder=$!
  sleep 10
  echo "$(rss_mib "$1") MiB ($(cat "$held_file" 2>/dev/null || echo '?') of $3 answered and held)"
  kill "$holder" 2>/dev/null || true
  wait "$holder" 2>/dev/null || true
}

install_tools
# Veer caps its connections at (open-file limit - 256) * 3/4 (DescriptorBudget): 10,000 idle keep-alive connections
# need a limit over 13,590. Where the hard limit is lower, root may raise it; others get what they have.
[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 65536 ] || ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
veer_jar_stale() { # the same check ./veer makes before it runs: no jar, or sources newer than it
  local jar="$root/admin/target/veer.jar"
  [ ! -f "$jar" ] || [ -n "$(find "$root" -path "$root/.git" -prune -o -path '*/target' -prune -o \
      \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$jar" -print -quit)" ]
}
if [[ " $PROXIES " == *" veer "* ]] && veer_jar_stale; then
  # Built here, unpinned, so that ./veer does not build on the proxy CPU while the script waits for its port.
  echo "building admin/target/veer.jar" >&2
  (cd "$root" && mvn -B -q -ntp -DskipTests -pl admin -am package)
fi
start_backend

declare -A port pid
for p in $PROXIES; do
  port[$p]=$(free_port)
  pid[$p]=$(start_"$p" "${port[$p]}")
  pids+=("${pid[$p]}")
done
for p in $PROXIES; do wait_port "${port[$p]}"; done
if [[ " $PROXIES " == *" veer "* ]] && [ "$VEER_JIT_WARMUP" -gt 0 ]; then
  # In pieces of at most 5 s, each with new connections as every measured run has: the first pass through
  # connection set-up after a long run of one connection set deoptimised the hot loop (Netty's processReady,
  # ProxyHandler.attach) and the measured run then paid for the recompilation.
  for ((left = VEER_JIT_WARMUP; left > 0; left -= 5)); do
    run_wrk "${port[veer]}" / 50 $((left < 5 ? left : 5)) > /dev/null
  done
fi

echo "# Veer vs HAProxy vs nginx — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r)"
echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); proxies on CPU $PROXY_CPU, backend + wrk on CPU $LOAD_CPU"
echo "# DURATION=${DURATION}s RUNS=$RUNS (median of runs, interleaved), WARMUP=${WARMUP}s, VEER_JIT_WARMUP=${VEER_JIT_WARMUP}s, UPSTREAM_IDLE=$UPSTREAM_IDLE"
echo "# Veer's proxy.transport: ${VEER_PROXY_TRANSPORT:-auto (epoll)}; set VEER_PROXY_TRANSPORT=io_uring to measure that"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"

for scenario in $SCENARIOS; do
  case "$scenario" in
    c50) conns=50; path=/; runner=run_wrk; warmup=$WARMUP ;;
    c1000-1k) conns=1000; path=/1k; runner=run_wrk; warmup=$WARMUP ;;
    c1000-64k) conns=1000; path=/64k; runner=run_wrk; warmup=$WARMUP ;;
    # h2load's request headers differ from wrk's: Veer's JIT recompiles the paths they take, so a longer warm-up.
    c50-rate) conns=50; path=/; runner=run_h2load; warmup=$((WARMUP * 2)) ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
  for p in $PROXIES; do $runner "${port[$p]}" "$path" "$conns" "$warmup" > /dev/null; done
  for run in $(seq 1 "$RUNS"); do
    for p in $PROXIES; do
      measure "$p" "${port[$p]}" "$path" "$conns" "$DURATION" | sed "s/^RESULT/$p/" >> "$work/$scenario.results"
    done
  done
  echo
  if [ "$runner" = run_h2load ]; then
    echo "## $scenario: $conns connections, GET $path, $RATE req/s offered (h2load)"
  else
    echo "## $scenario: $conns connections, GET $path"
  fi
  printf '| %-8s | %10s | %8s | %8s | %8s | %7s | %11s | %9s | %9s | %9s | %9s |\n' proxy req/s p50_ms p99_ms p99.9_ms \
    errors cpu_us/req rps/HAP p99/HAP cpu/HAP "cpu$LOAD_CPU%"
  printf '|%s|\n' "----------|------------|----------|----------|----------|---------|-------------|-----------|-----------|-----------|-----------"
  declare -A med=()
  for p in $PROXIES; do
    for f in rps p50 p99 p999 errors cpu_us load_busy; do
      med[$p.$f]=$(grep "^$p " "$work/$scenario.results" | tr ' ' '\n' | grep "^$f=" | cut -d= -f2 | median)
    done
  done
  base_rps=${med[haproxy.rps]:-}; base_p99=${med[haproxy.p99]:-}; base_cpu=${med[haproxy.cpu_us]:-}
  for p in $PROXIES; do
    r_rps="-"; r_p99="-"; r_cpu="-"
    if [ -n "$base_rps" ]; then
      r_rps=$(awk -v a="${med[$p.rps]}" -v b="$base_rps" 'BEGIN {printf "%.2f", a/b}')
      r_p99=$(awk -v a="${med[$p.p99]}" -v b="$base_p99" 'BEGIN {printf "%.2f", a/b}')
      r_cpu=$(awk -v a="${med[$p.cpu_us]}" -v b="$base_cpu" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
    fi
    printf '| %-8s | %10.0f | %8.2f | %8.2f | %8.2f | %7.0f | %11.1f | %9s | %9s | %9s | %9s |\n' "$p" \
      "${med[$p.rps]}" "${med[$p.p50]}" "${med[$p.p99]}" "${med[$p.p999]}" "${med[$p.errors]}" "${med[$p.cpu_us]}" \
      "$r_rps" "$r_p99" "$r_cpu" "${med[$p.load_busy]}"
  done
  echo "(load after $scenario: $(cut -d' ' -f1-3 /proc/loadavg))"
done

if [[ " $PROXIES " == *" veer "* ]]; then
  echo
  echo "## Veer memory"
  echo "- RSS after the load runs: $(rss_mib "${pid[veer]}") MiB"
  echo "- RSS with ${IDLE_CONNECTIONS:-10000} idle keep-alive connections: $(idle_connections_rss "${pid[veer]}" "${port[veer]}" "${IDLE_CONNECTIONS:-10000}")"
  echo "- JVM flags: $(tr '\0' ' ' < "/proc/${pid[veer]}/cmdline" | sed 's/ -jar .*//; s/^java //')"
fi
