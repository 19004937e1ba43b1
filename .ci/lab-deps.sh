#!/usr/bin/env bash
# Installs what the real SIP lab (tests/lab) needs on a clean Debian/Ubuntu CI machine.
# Idempotent: does nothing when everything is already installed; runs `apt-get update`
# only when at least one package is missing.
set -euo pipefail

PKGS=(kamailio kamailio-tls-modules kamailio-presence-modules kamailio-websocket-modules baresip-core linphone-cli dnsmasq-base openssl)

# tests/lab/linphone.ts compiles a small linphonec extension (tests/lab/linphonec-lab.c) with cc.
if ! command -v cc >/dev/null; then PKGS+=(gcc libc6-dev); fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "lab-deps: all present (${PKGS[*]})"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "lab-deps: installing ${missing[*]}"
$SUDO apt-get update
# The kamailio package ships a systemd unit; the lab never uses it (it runs its own instances
# on free loopback ports), so keep the service from starting where policy-rc.d is honoured.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
