#!/usr/bin/env bash
# compose-test.sh — `docker compose -f docker-compose.replication.yml up`, for real:
# installs Debian's docker.io and docker-compose when missing, starts dockerd when
# none runs, makes sure every image the file needs exists (pulled, or a local
# stand-in built from Debian packages under the same name when no registry can be
# reached: deploy/standin/README.md), builds and starts the stack, checks it, and
# takes it down with its volumes. Images are kept for the next run.
#
# Checks: replication-init exits 0; the API turns healthy; /readyz lists three
# healthy nodes; a write through the API is read back from a replica (X-DB-Node);
# `api replication status` shows both replicas following.
set -euo pipefail
cd "$(dirname "$0")/.."

project=ttcompose
port=${COMPOSE_TEST_PORT:-18080}
log() { echo "compose-test: $*" >&2; }
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo

apt_install() {
  log "installing $* from Debian packages"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  local policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod 755 "$policy"
  fi
  local rc=0
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null || rc=$?
  [ -z "$policy" ] || $sudo rm -f "$policy"
  return $rc
}

# --- Docker engine and compose ------------------------------------------------
missing=()
[ -x /usr/bin/dockerd ] || [ -x /usr/sbin/dockerd ] || command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
# Debian's client matches Debian's daemon; prefer it over any other docker on PATH.
docker=docker
[ -x /usr/bin/docker ] && docker=/usr/bin/docker
export DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}

if ! $docker info >/dev/null 2>&1; then
  log "starting dockerd (log: /var/log/teachtrack-dockerd.log)"
  $sudo sh -c 'nohup dockerd >/var/log/teachtrack-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do $docker info >/dev/null 2>&1 && break; sleep 1; done
  $docker info >/dev/null 2>&1 || { tail -20 /var/log/teachtrack-dockerd.log >&2; log "dockerd did not start"; exit 1; }
fi

# --- Images: pull, or build a stand-in under the same name ----------------------
have_image() { $docker image inspect "$1" >/dev/null 2>&1; }
pull() { timeout 60 $docker pull -q "$1" >/dev/null 2>&1; }

ensure_debian() {
  have_image debian:bookworm && return
  pull debian:bookworm && return
  log "no registry reachable: building a stand-in debian:bookworm with debootstrap (Debian packages)"
  local mirror root
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  mirror=${mirror:-$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)}
  mirror=${mirror:-http://deb.debian.org/debian}
  root=$(mktemp -d)
  $sudo debootstrap --variant=minbase bookworm "$root" "$mirror" >/tmp/teachtrack-debootstrap.log 2>&1 \
    || { tail -20 /tmp/teachtrack-debootstrap.log >&2; exit 1; }
  $sudo tar -C "$root" -c . | $docker import - debian:bookworm >/dev/null
  $sudo rm -rf "$root"
}

standin() { # standin <image> <dir> [extra context tar args…]
  local image=$1 dir=$2
  have_image "$image" && return
  pull "$image" && return
  ensure_debian
  log "no registry reachable: building a stand-in $image from deploy/standin/$dir"
  if [ "$dir" = golang ]; then
    # The context carries the machine's Go toolchain as go/.
    local goroot; goroot=$(go env GOROOT)
    # and the machine's CA bundle (TLS to the module proxy may need its extra CAs).
    tar -c -C deploy/standin/golang Dockerfile -C /etc/ssl/certs ca-certificates.crt -C "$(dirname "$goroot")" "$(basename "$goroot")" \
      --transform "s|^$(basename "$goroot")|go|" | $docker build -q -t "$image" - >/dev/null
  else
    $docker build -q -t "$image" "deploy/standin/$dir" >/dev/null
  fi
}

db_image=${DB_IMAGE:-$(sed -n 's/.*image: \${DB_IMAGE:-\([^}]*\)}.*/\1/p' docker-compose.replication.yml | head -1)}
builder=$(awk '/^FROM .* AS build/ {print $2; exit}' Dockerfile)
runtime=$(awk '/^FROM / {img=$2} END {print img}' Dockerfile)
standin "$db_image" mariadb
standin "$builder" golang
standin "$runtime" distroless

# --- Up ----------------------------------------------------------------------------
env_file=$(mktemp)
cp .env.example "$env_file"
printf "API_PORT=%s\nROUTING_DEBUG_HEADER=true\n" "$port" >>"$env_file"
compose() { docker-compose --project-name "$project" --env-file "$env_file" -f docker-compose.replication.yml "$@"; }
cleanup() {
  local rc=$?
  if [ $rc -ne 0 ]; then
    log "FAILED: the stack's logs follow"
    compose ps >&2 || true
    compose logs --no-color --tail=40 >&2 || true
  fi
  compose down -v --remove-orphans >/dev/null 2>&1 || true
  rm -f "$env_file"
  exit $rc
}
trap cleanup EXIT
compose down -v --remove-orphans >/dev/null 2>&1 || true

log "building the API image"
compose build api
start=$(date +%s)
log "docker-compose up -d"
compose up -d

# replication-init must exit 0 (compose v1 has no --wait: poll).
id=$(compose ps -q replication-init)
for _ in $(seq 1 120); do
  state=$($docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$id")
  [ "${state%% *}" = exited ] && break
  sleep 2
done
[ "$state" = "exited 0" ] || { log "replication-init: $state, want exited 0"; exit 1; }
log "replication-init exited 0"

api=$(compose ps -q api)
for _ in $(seq 1 90); do
  health=$($docker inspect -f '{{.State.Health.Status}}' "$api")
  [ "$health" = healthy ] && break
  sleep 2
done
[ "$health" = healthy ] || { log "api is $health, want healthy"; exit 1; }
log "api healthy after $(( $(date +%s) - start )) s"

base=http://127.0.0.1:$port
ready=$(curl -fsS "$base/readyz")
healthy=$(grep -o '"healthy":true' <<<"$ready" | wc -l)
[ "$healthy" -ge 3 ] || { log "/readyz: $ready — want three healthy nodes"; exit 1; }
log "/readyz: three healthy nodes"

email="compose-$(date +%s)@example.com"
curl -fsS -X POST "$base/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"Compose-test-pw1\",\"full_name\":\"Compose Test\"}" >/dev/null
token=$(curl -fsS -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"Compose-test-pw1\"}" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { log "login returned no token"; exit 1; }
curl -fsS -X PATCH "$base/api/v1/auth/me" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"full_name":"Written Through Compose"}' >/dev/null
node=""
for _ in $(seq 1 20); do
  resp=$(curl -fsS -D - "$base/api/v1/auth/me" -H "Authorization: Bearer $token")
  node=$(tr -d '\r' <<<"$resp" | awk -F': ' 'tolower($1)=="x-db-node" {print $2}')
  if grep -q 'Written Through Compose' <<<"$resp" && [[ "$node" == replica* ]]; then break; fi
  sleep 0.5
done
grep -q 'Written Through Compose' <<<"$resp" || { log "the write was not read back: $resp"; exit 1; }
[[ "$node" == replica* ]] || { log "the read back came from '$node', want a replica"; exit 1; }
log "a write through the API was read back from $node"

status=$(compose exec -T api /api replication status)
echo "$status" >&2
# Columns: NODE ROLE ADDRESS REACHABLE READ_ONLY IO SQL LAG GTID
following=$(awk '$1 ~ /^replica-/ && $4 == "yes" && $6 == "yes" && $7 == "yes"' <<<"$status" | wc -l)
[ "$following" -eq 2 ] || { log "replication status: $following replicas following, want 2"; exit 1; }
log "replication status: both replicas following"
log "PASS: docker compose stack up, replicated, serving, and torn down ($(( $(date +%s) - start )) s after up)"
