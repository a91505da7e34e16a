#!/usr/bin/env bash
# The browser tests drive Debian's Chromium with playwright-core (never a downloaded browser build).
# Installs it when missing; needs root (as on the project's machines and CI).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "Chromium is missing: install it with 'sudo apt-get update && sudo apt-get install -y chromium'" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
