#!/usr/bin/env bash
# Fetches the kernels the qemu tests boot (test/kernel/qemu.test.ts) into test/kernel/qemu/.kernels:
# Debian bookworm's cloud arm64 kernel (it runs arm EABI binaries too) and trixie's riscv64 kernel
# (bookworm has none). apt downloads them with a private state directory for the foreign
# architecture, so the host's dpkg is not touched (no `dpkg --add-architecture`).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=test/kernel/qemu/.kernels
mkdir -p "$dest"

# fetch ARCH SUITE METAPACKAGE OUTPUT
fetch() {
  local arch=$1 suite=$2 meta=$3 out=$4
  [ -s "$dest/$out" ] && return 0
  local state
  state=$(mktemp -d)
  mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
  touch "$state/status"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" > "$state/sources.list"
  local opts=(-o "Dir::State=$state" -o "Dir::State::Lists=$state/lists" -o "Dir::State::status=$state/status"
    -o "Dir::Cache=$state/cache" -o "Dir::Etc::SourceList=$state/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
    -o "APT::Architecture=$arch" -o "APT::Architectures=$arch" -o "APT::Sandbox::User=root" -qq)
  apt-get "${opts[@]}" update
  # The metapackage names the current kernel package.
  local package
  package=$(apt-cache "${opts[@]}" depends "$meta" | awk '/Depends: linux-image-/ { print $2; exit }')
  (cd "$state" && apt-get "${opts[@]}" download "$package")
  dpkg-deb -x "$state"/"$package"_*.deb "$state/unpacked"
  cp "$(ls "$state"/unpacked/boot/vmlinu[xz]-* | head -1)" "$dest/$out"
  rm -rf "$state"
}

fetch arm64 bookworm linux-image-cloud-arm64 aarch64.kernel
fetch riscv64 trixie linux-image-riscv64 riscv64.kernel
