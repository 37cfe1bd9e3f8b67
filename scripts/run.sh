#!/usr/bin/env bash
# `make run`: upgrade the database, seed the demo, start the virtual label printer, the job consumer and gunicorn.
set -euo pipefail
cd "$(dirname "$0")/.."
FLASK=".venv/bin/flask --app wsgi"
$FLASK db upgrade
$FLASK demo
if [ "${HTTPS:-0}" = "1" ]; then
  # Phones need a secure context for the service worker and the camera: a self-signed certificate
  # for the LAN (accept it once on each device), or put Shipfloor behind a reverse proxy (README).
  mkdir -p instance
  if [ ! -f instance/tls-cert.pem ]; then
    host_ip=$(hostname -I 2>/dev/null | awk '{print $1}')
    openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=shipfloor.local" \
      -addext "subjectAltName=DNS:localhost,DNS:shipfloor.local,IP:127.0.0.1${host_ip:+,IP:$host_ip}" \
      -keyout instance/tls-key.pem -out instance/tls-cert.pem 2>/dev/null
  fi
  export SHIPFLOOR_CERT=instance/tls-cert.pem SHIPFLOOR_KEY=instance/tls-key.pem
fi
PRINTER_PORT=${SHIPFLOOR_PRINTER_PORT:-9100}
$FLASK virtual-printer --port "$PRINTER_PORT" &
printer_pid=$!
# The one job consumer of this deployment (imports of more than 1,000 rows) and, in a thread of it, the one print
# worker (label jobs to the printers over TCP 9100 or CUPS, retried while a printer is off).
# It resumes jobs a stopped consumer left running; SIGTERM stops it (a chunk cut short is rolled back).
$FLASK jobs worker &
jobs_pid=$!
trap 'kill $printer_pid $jobs_pid 2>/dev/null || true' EXIT
scheme=http; [ "${HTTPS:-0}" = "1" ] && scheme=https
echo "Shipfloor: supervisor pages ${scheme}://localhost:8000/  handheld ${scheme}://localhost:8000/hh/"
# Threaded (gthread) workers that keep connections alive: see gunicorn.conf.py and the SHIPFLOOR_WORKER_CLASS,
# SHIPFLOOR_THREADS and SHIPFLOOR_KEEPALIVE settings there.
exec_gunicorn=".venv/bin/gunicorn -c gunicorn.conf.py wsgi:app"
$exec_gunicorn
