#!/usr/bin/env bash
# The French catalog must be complete (no untranslated or fuzzy entries) and compiled.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v msgfmt >/dev/null; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null
  else
    echo "The catalog check needs GNU gettext (msgfmt): install it (Debian: apt-get install gettext)." >&2
    exit 1
  fi
fi
status=0
for po in $(find src/loaportal -path '*/locale/*/LC_MESSAGES/*.po'); do
  stats=$(msgfmt --check --statistics -o /dev/null "$po" 2>&1)
  case "$stats" in
    *fuzzy*|*untranslated*) echo "$po: $stats" >&2; status=1 ;;
  esac
  mo="${po%.po}.mo"
  tmp=$(mktemp)
  msgfmt -o "$tmp" "$po"
  if ! cmp -s "$tmp" "$mo"; then echo "$mo is not compiled from $po: run 'make messages'" >&2; status=1; fi
  rm -f "$tmp"
done
exit $status
