#!/usr/bin/env bash
# Builds a release of outdial from one release build:
#   target/dist/outdial-<version>-<target>.tar.gz  the binary, completions for every shell,
#                                                  a man page per command, README, licenses
#   target/dist/outdial_<version>-1_<arch>.deb     the same, where Debian puts them
#                                                  (when cargo-deb is installed; DEB=0 skips it)
#   target/dist/SHA256SUMS                         the checksums of both
# Usage: scripts/release.sh            (the host's target)
#        BUILD=0 scripts/release.sh   (package the binary already in target/release)
#        TARGET=x86_64-unknown-linux-musl scripts/release.sh   (a target whose binaries run
#                                                             here: they make their own man
#                                                             pages and completions)
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
host=$(rustc -vV | sed -n 's/^host: //p')
target=${TARGET:-$host}
dist=target/dist
name="outdial-$version-$target"

if [ "$target" = "$host" ]; then
  bin=target/release/outdial
  [ "${BUILD:-1}" = 0 ] || cargo build --release --locked
else
  bin="target/$target/release/outdial"
  [ "${BUILD:-1}" = 0 ] || cargo build --release --locked --target "$target"
fi

# The man pages and completions come from the binary itself, so they match it.
assets="$dist/assets"
rm -rf "$dist"
mkdir -p "$assets/man" "$assets/completions"
"$bin" man --dir "$assets/man" >/dev/null 2>&1
"$bin" completions bash >"$assets/completions/outdial.bash"
"$bin" completions zsh >"$assets/completions/_outdial"
"$bin" completions fish >"$assets/completions/outdial.fish"
"$bin" completions elvish >"$assets/completions/outdial.elv"
"$bin" completions powershell >"$assets/completions/_outdial.ps1"

stage="$dist/$name"
mkdir -p "$stage"
cp "$bin" "$stage/"
cp -r "$assets/man" "$assets/completions" "$stage/"
cp README.md LICENSE-MIT LICENSE-APACHE "$stage/"
# Owner and times fixed, so that the same build gives the same archive.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00Z' \
  -C "$dist" -czf "$dist/$name.tar.gz" "$name"
rm -rf "$stage"

if [ "${DEB:-1}" = 1 ]; then
  if [ "$target" != "$host" ]; then
    echo "release.sh: the Debian package is built for the host's target only" >&2
  elif ! cargo deb --version >/dev/null 2>&1; then
    echo "release.sh: cargo-deb is not installed (cargo install cargo-deb --locked); no .deb" >&2
  else
    cargo deb --no-build --locked --output "$dist/" >/dev/null
  fi
fi

(cd "$dist" && sha256sum -- *.tar.gz $(ls -- *.deb 2>/dev/null) >SHA256SUMS)
cat "$dist/SHA256SUMS"
