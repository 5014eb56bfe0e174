#!/usr/bin/env bash
# Container health probe without curl: one HTTP/1.1 request over bash's /dev/tcp to the admin API.
# Healthy when GET /api/status answers 2xx-4xx (server up and routing; 401 if SLUICE_ADMIN_TOKEN is not in this
# environment but the token is configured elsewhere). Unhealthy on 5xx (e.g. the database is unreachable),
# on no answer, or after 4 seconds.
set -u
port="${SLUICE_HTTP_PORT:-8080}"

exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET /api/status HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer %s\r\nAccept: application/json\r\nConnection: close\r\n\r\n' \
    "${SLUICE_ADMIN_TOKEN:-}" >&3 || exit 1
IFS=' ' read -r -t 4 protocol status _ <&3 || exit 1
exec 3<&- 3>&-

case "${protocol}" in HTTP/1.*) ;; *) exit 1 ;; esac
case "${status}" in [234][0-9][0-9]) exit 0 ;; *) echo "GET /api/status answered ${status}"; exit 1 ;; esac
