#!/usr/bin/env bash
# tests/reliability/test_redis_restart.py kills and restarts a private redis-server of its own (the
# shared Redis on 6379 is never touched), so the binary must be here even where Redis runs elsewhere.
set -euo pipefail
if ! command -v redis-server >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi
redis-server --version
# The shared Redis the redis-marked tests use: started (loopback only) when nothing answers on 6379.
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
fi
