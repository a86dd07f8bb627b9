#!/usr/bin/env bash
# Checks what scripts/release.sh built, as a user gets it: the checksums verify; the archive
# unpacks to a binary that runs, its man pages and its completions; the Debian package
# unpacked into a clean root (dpkg -x, the files dpkg -i would install) gives the binary, a man
# page `man` renders and a bash completion bash loads, from the paths Debian uses.
#   scripts/check-release.sh [DIST]      (default target/dist)
set -euo pipefail
dist=$(cd "${1:-target/dist}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== checksums"
(cd "$dist" && sha256sum -c SHA256SUMS)

echo "== archive"
archive=$(ls "$dist"/outdial-*.tar.gz)
tar -xzf "$archive" -C "$work"
unpacked="$work/$(basename "$archive" .tar.gz)"
"$unpacked/outdial" --version
for file in README.md LICENSE-MIT LICENSE-APACHE man/outdial.1 man/outdial-send.1 \
  completions/outdial.bash completions/_outdial completions/outdial.fish \
  completions/outdial.elv completions/_outdial.ps1; do
  [ -s "$unpacked/$file" ] || { echo "the archive has no $file" >&2; exit 1; }
done
pages=$(ls "$unpacked/man" | wc -l)
echo "$pages man pages"

deb=$(ls "$dist"/*.deb 2>/dev/null || true)
if [ -z "$deb" ]; then
  echo "no .deb in $dist" >&2
  exit 1
fi
echo "== Debian package: $(basename "$deb")"
dpkg-deb --info "$deb" | sed -n 's/^ \(Package\|Version\|Architecture\|Depends\):/\1:/p'
root="$work/root"
dpkg -x "$deb" "$root"
"$root/usr/bin/outdial" --version
page=$(ls "$root"/usr/share/man/man1/outdial-send.1*)
MANWIDTH=80 man -l "$page" | sed -n '1,4p'
MANWIDTH=80 man -l "$page" | grep -q 'EXIT STATUS'
[ "$(ls "$root/usr/share/man/man1" | wc -l)" = "$pages" ] || {
  echo "the package has not every man page" >&2
  exit 1
}
# The installed bash completion loads and completes the commands.
bash -c "source '$root/usr/share/bash-completion/completions/outdial' && complete -p outdial \
  && COMP_WORDS=(outdial se) COMP_CWORD=1 && _outdial outdial se outdial && printf '%s\n' \"\${COMPREPLY[@]}\"" \
  | tee "$work/completed"
grep -qx send "$work/completed"
for file in usr/share/zsh/vendor-completions/_outdial \
  usr/share/fish/vendor_completions.d/outdial.fish \
  usr/share/doc/outdial/copyright usr/share/doc/outdial/README.md; do
  [ -s "$root/$file" ] || { echo "the package has no /$file" >&2; exit 1; }
done
echo "release ok"
