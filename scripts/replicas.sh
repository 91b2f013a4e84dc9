#!/usr/bin/env bash
# Two identical replicas of the service behind nginx on loopback, then the load test through nginx.
#
#   scripts/replicas.sh [SECONDS] [CLIENTS]       (defaults: 60 s, 32 clients)
#
# Each replica has its own copy of the index, built once here as a deploy would; nginx (Debian's
# package: apt-get install nginx-light) balances between them. Everything runs in a temporary folder
# and stops when the script ends.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN="${1:-60}"
CLIENTS="${2:-32}"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$NGINX" ] || { echo "nginx not found: apt-get install nginx-light" >&2; exit 2; }
[ -x .venv/bin/kb ] || make install >/dev/null

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

for n in 1 2; do
  KB_INDEX_DIR="$WORK/index-$n" .venv/bin/kb index >/dev/null
  KB_INDEX_DIR="$WORK/index-$n" .venv/bin/kb serve --host 127.0.0.1 --port "818$n" >"$WORK/replica-$n.log" 2>&1 &
  PIDS+=("$!")
done

cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy;
  fastcgi_temp_path $WORK/fastcgi; uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
  upstream kb { server 127.0.0.1:8181; server 127.0.0.1:8182; keepalive 64; }
  server {
    listen 127.0.0.1:8180;
    client_max_body_size 1m;
    location / {
      proxy_pass http://kb;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_next_upstream error timeout http_502 http_503;
    }
  }
}
CONF
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK"

for port in 8181 8182 8180; do
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done
done
echo "two replicas on :8181 and :8182, nginx on :8180; load test for ${SECONDS_RUN}s with ${CLIENTS} clients"
.venv/bin/python scripts/loadtest.py --url http://127.0.0.1:8180 --clients "$CLIENTS" --seconds "$SECONDS_RUN"
