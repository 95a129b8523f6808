#!/usr/bin/env bash
# A highly available PostgreSQL on loopback, the standard open-source way: etcd holds the
# leader lock, two Patroni-managed PostgreSQL servers replicate synchronously (an
# acknowledged commit is on both), and HAProxy routes to whichever is the leader by asking
# Patroni's REST API (GET /primary answers 200 only on the leader).
#
#   scripts/ha-cluster.sh up DIR      installs what is missing (Debian: patroni, etcd-server,
#                                     haproxy, postgresql), starts the cluster, waits for a leader
#                                     and a synchronous standby, prints the URL
#   scripts/ha-cluster.sh leader DIR  the leader's name, Patroni pid and PostgreSQL pid
#   scripts/ha-cluster.sh proxy-stop DIR / proxy-start DIR
#                                     cuts the nodes off from the database (HAProxy stopped) and
#                                     joins them again
#   scripts/ha-cluster.sh rejoin DIR  starts again a member that was lost (it comes back as a
#                                     standby, rewound if need be) and waits until it is in sync
#   scripts/ha-cluster.sh down DIR    stops everything and removes DIR
#
# Ports from MYNA_HA_PORT (default 56400): +0 HAProxy (the nodes' database URL), +1/+2 the two
# PostgreSQL servers, +11/+12 their Patroni REST APIs, +21/+22 etcd client/peer.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 up|leader|down DIR" >&2; exit 2; }
base=${MYNA_HA_PORT:-56400}
proxy=$base
etcd_client=$((base + 21))
etcd_peer=$((base + 22))

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# PostgreSQL refuses to run as root: Patroni runs as the postgres user when we are root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# Runs a program as the postgres user in the background, its own pid (not runuser's) in $1.
daemon() { local pidfile=$1 log=$2; shift 2; as_pg sh -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" >"$log" 2>&1 & }

rest() { curl -s --max-time 2 "http://127.0.0.1:$((base + 10 + $1))/$2"; }
# The HTTP status of member $1's Patroni REST endpoint $2 (200 on /primary: the leader).
code() { curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$((base + 10 + $1))/$2"; }

case "$cmd" in
up)
  if ! command -v patroni >/dev/null || ! command -v etcd >/dev/null || ! command -v haproxy >/dev/null \
    || ! command -v curl >/dev/null \
    || ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
    echo "ha-cluster: installing patroni, etcd-server, haproxy and postgresql" >&2
    as_root apt-get update -qq >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      patroni etcd-server haproxy postgresql curl >/dev/null
  fi
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ "$(id -u)" = 0 ] && chown postgres "$dir"

  daemon "$dir/etcd.pid" "$dir/etcd.log" etcd --name e1 --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_client" --advertise-client-urls "http://127.0.0.1:$etcd_client" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "e1=http://127.0.0.1:$etcd_peer" --log-level warn

  for i in 1 2; do
    cat >"$dir/pg$i.yml" <<YML
scope: myna
name: pg$i
restapi:
  listen: 127.0.0.1:$((base + 10 + i))
  connect_address: 127.0.0.1:$((base + 10 + i))
etcd3:
  hosts: 127.0.0.1:$etcd_client
bootstrap:
  dcs:
    # The leader's lock lapses 10 s after its last renewal: the longest a dead leader
    # keeps the cluster without one.
    ttl: 10
    loop_wait: 1
    retry_timeout: 3
    maximum_lag_on_failover: 0
    # Commits wait for the standby; only a synchronous standby may be promoted, so no
    # acknowledged commit is lost with the leader.
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        max_connections: 300
        wal_log_hints: "on"
  initdb:
    - encoding: UTF8
    - data-checksums
postgresql:
  listen: 127.0.0.1:$((base + i))
  connect_address: 127.0.0.1:$((base + i))
  data_dir: $dir/pg$i
  bin_dir: $bin
  pgpass: $dir/pgpass$i
  authentication:
    superuser:
      username: postgres
      password: postgres
    replication:
      username: replicator
      password: replicator
    rewind:
      username: postgres
      password: postgres
  parameters:
    unix_socket_directories: $dir
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication replicator 127.0.0.1/32 trust
YML
    daemon "$dir/patroni$i.pid" "$dir/pg$i.log" patroni "$dir/pg$i.yml"
    # The first bootstraps the cluster; the second clones it once it leads.
    if [ "$i" = 1 ]; then
      for _ in $(seq 1 120); do [ "$(code 1 primary)" = 200 ] && break; sleep 0.5; done
    fi
  done

  cat >"$dir/haproxy.cfg" <<CFG
global
  maxconn 1000
defaults
  mode tcp
  timeout connect 2s
  timeout client 30m
  timeout server 30m
  timeout check 1s
listen primary
  bind 127.0.0.1:$proxy
  option httpchk OPTIONS /primary
  http-check expect status 200
  # A server that stops being the leader has its sessions cut at once, so clients reconnect
  # to the new one instead of writing to a demoted server.
  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
  server pg1 127.0.0.1:$((base + 1)) maxconn 300 check port $((base + 11))
  server pg2 127.0.0.1:$((base + 2)) maxconn 300 check port $((base + 12))
CFG
  haproxy -f "$dir/haproxy.cfg" -p "$dir/haproxy.pid" -D
  # Ready: a leader, a synchronous standby streaming, and HAProxy reaching the leader.
  for _ in $(seq 1 240); do
    if rest 1 cluster 2>/dev/null | grep -q '"sync_standby"' \
      && PGCONNECT_TIMEOUT=2 "$bin/psql" -h 127.0.0.1 -p "$proxy" -U postgres -Atc 'select 1' postgres >/dev/null 2>&1; then
      echo "postgres://postgres@127.0.0.1:$proxy/postgres"
      exit 0
    fi
    sleep 0.5
  done
  echo "ha-cluster: no leader with a synchronous standby within 2 minutes; logs in $dir" >&2
  exit 1
  ;;
rejoin)
  for i in 1 2; do
    if ! kill -0 "$(cat "$dir/patroni$i.pid")" 2>/dev/null; then
      daemon "$dir/patroni$i.pid" "$dir/pg$i.log.rejoin" patroni "$dir/pg$i.yml"
    fi
  done
  for _ in $(seq 1 240); do
    for i in 1 2; do
      if rest "$i" cluster 2>/dev/null | grep -q '"sync_standby"'; then exit 0; fi
    done
    sleep 0.5
  done
  echo "ha-cluster: no synchronous standby within 2 minutes; logs in $dir" >&2
  exit 1
  ;;
proxy-stop)
  kill "$(cat "$dir/haproxy.pid")"
  # Until the port refuses connections.
  while (exec 3<>"/dev/tcp/127.0.0.1/$proxy") 2>/dev/null; do sleep 0.1; done
  ;;
proxy-start)
  haproxy -f "$dir/haproxy.cfg" -p "$dir/haproxy.pid" -D
  ;;
leader)
  # name patroni-pid postgres-pid
  for i in 1 2; do
    if [ "$(code "$i" primary)" = 200 ]; then
      echo "pg$i $(cat "$dir/patroni$i.pid") $(head -n 1 "$dir/pg$i/postmaster.pid")"
      exit 0
    fi
  done
  echo "ha-cluster: no leader" >&2
  exit 1
  ;;
down)
  [ -d "$dir" ] || exit 0
  for f in haproxy patroni1 patroni2 etcd; do
    [ -f "$dir/$f.pid" ] && kill "$(cat "$dir/$f.pid")" 2>/dev/null || true
  done
  sleep 1
  for i in 1 2; do
    [ -f "$dir/pg$i/postmaster.pid" ] && kill -9 "$(head -n 1 "$dir/pg$i/postmaster.pid")" 2>/dev/null || true
  done
  for f in haproxy patroni1 patroni2 etcd; do
    [ -f "$dir/$f.pid" ] && kill -9 "$(cat "$dir/$f.pid")" 2>/dev/null || true
  done
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 up|leader|down DIR" >&2
  exit 2
  ;;
esac
