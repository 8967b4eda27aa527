#!/usr/bin/env bash
# install-deps.sh: installs what ovad needs to build and test from Debian's packages.
# Runs apt-get as root (or through sudo). Python with torch is only for regenerating fixtures
# (`make fixtures`) and is not installed here unless WITH_PYTORCH=1.
set -euo pipefail
pkgs=(build-essential pkg-config check libsubunit-dev libcjson-dev zlib1g-dev clang libclang-rt-14-dev
      libpng-dev libjpeg62-turbo-dev libavformat-dev libavcodec-dev libswscale-dev libavutil-dev libmatio-dev)
if [ "${WITH_PYTORCH:-0}" = 1 ]; then pkgs+=(python3-torch python3-torchvision python3-scipy); fi
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then echo "install-deps: all packages present"; exit 0; fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
