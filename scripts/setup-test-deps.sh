#!/usr/bin/env bash
# Installs what the browser tests need that npm does not provide: Debian's chromium, driven by playwright-core.
# Idempotent and quiet: does nothing when /usr/bin/chromium is already there. Needs root (or sudo) to install.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

run_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "setup-test-deps: /usr/bin/chromium is missing and installing it needs root; run: apt-get install -y chromium" >&2
    exit 1
  fi
}

echo "setup-test-deps: installing chromium (Debian package) for the dashboard browser test" >&2
export DEBIAN_FRONTEND=noninteractive
run_as_root apt-get update -qq >/dev/null
run_as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null

if [ ! -x /usr/bin/chromium ]; then
  echo "setup-test-deps: chromium was installed but /usr/bin/chromium is not there" >&2
  exit 1
fi
