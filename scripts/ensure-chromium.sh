#!/usr/bin/env bash
# Browser tests drive Debian's Chromium. Install it when missing and we are root.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "Browser tests need Chromium at /usr/bin/chromium. Install it (Debian: sudo apt-get install chromium)" >&2
echo "or run 'make test' as root so the set-up installs it." >&2
exit 1
