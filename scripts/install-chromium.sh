#!/usr/bin/env sh
# Installs Debian's chromium for the browser tests when it is missing (playwright-core never downloads one):
# the browser, and its headless shell, which most browser tests drive (test/helpers/browser.ts).
set -eu
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromium-headless-shell ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-headless-shell >/dev/null
