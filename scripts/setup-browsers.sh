#!/usr/bin/env bash
# Installs what the tests need on Debian: Chromium with its locale files (without
# chromium-l10n Chromium speaks English whatever the language, and the tests check German), Firefox ESR,
# and OpenSSL (the signing tests check interoperability with it). `npm run setup:browsers` runs this, and
# so does CI (.ci/run), so the two never drift. Needs root: `sudo npm run setup:browsers`.
set -euo pipefail

packages=(chromium chromium-l10n firefox-esr openssl)

if command -v chromium >/dev/null && command -v firefox-esr >/dev/null && command -v openssl >/dev/null &&
  [ -e /usr/lib/chromium/locales/de.pak ]; then
  echo "setup:browsers: ${packages[*]} already installed"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "setup:browsers: this script installs Debian packages (${packages[*]}); elsewhere install Chromium and Firefox yourself and set DAYLIGHT_CHROMIUM and DAYLIGHT_FIREFOX (see CONTRIBUTING.md)" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup:browsers: installing ${packages[*]} needs root: run sudo npm run setup:browsers" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${packages[@]}" >/dev/null
echo "setup:browsers: installed ${packages[*]}"
