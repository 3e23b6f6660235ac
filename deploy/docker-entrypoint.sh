#!/bin/sh
# The container's entry point: web | worker | migrate | healthcheck | any `zhengwu` sub-command.
set -eu

role="${1:-web}"
if [ "$#" -gt 0 ]; then shift; fi

case "$role" in
  web|serve)
    # Static files are already collected (in the image, or by `migrate` into a shared volume).
    exec zhengwu serve --host "${ZHENGWU_HOST:-0.0.0.0}" --port "${ZHENGWU_PORT:-8000}" --no-collectstatic "$@"
    ;;
  worker)
    exec zhengwu worker "$@"
    ;;
  migrate)
    # One-shot before web and worker start: the schema, then the static files into ZHENGWU_STATIC_ROOT
    # (a volume the reverse proxy may serve from). Safe to run again: both do only what is missing.
    zhengwu migrate --no-input "$@"
    exec zhengwu collectstatic --no-input -v 0
    ;;
  healthcheck)
    exec python -c 'import os, sys, urllib.request
url = "http://127.0.0.1:%s/api/v1/live" % os.environ.get("ZHENGWU_PORT", "8000")
try:
    sys.exit(0 if urllib.request.urlopen(url, timeout=4).status == 200 else 1)
except Exception as exc:
    print(exc, file=sys.stderr)
    sys.exit(1)'
    ;;
  *)
    exec zhengwu "$role" "$@"
    ;;
esac
