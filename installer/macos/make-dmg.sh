#!/bin/sh
# Pack "Debate Prep.app" (made by installer/debate-prep.spec's BUNDLE) into a .dmg.
#
# On macOS, in the repository root (see installer/ci/macos.yml):
#   python3.11 scripts/build_installer.py      -> build/installer/pyi-dist/Debate Prep.app
#   sh installer/macos/make-dmg.sh             -> dist/debate-prep-<version>-macos-<arch>.dmg
# Optional signing and notarization (both needed for Gatekeeper to open it without a
# warning): MACOS_SIGN_IDENTITY="Developer ID Application: ..." and, for notarytool,
# MACOS_NOTARY_PROFILE (a keychain profile made with `xcrun notarytool store-credentials`).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
version=$(cd "$root" && python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
app="$root/build/installer/pyi-dist/Debate Prep.app"
out="$root/dist/debate-prep-$version-macos-$(uname -m).dmg"

[ "$(uname -s)" = Darwin ] || { echo "make-dmg.sh: run me on macOS" >&2; exit 1; }
[ -d "$app" ] || { echo "make-dmg.sh: no $app; run scripts/build_installer.py first" >&2; exit 1; }

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
    codesign --force --deep --options runtime --timestamp \
        --sign "$MACOS_SIGN_IDENTITY" "$app"
    codesign --verify --deep --strict "$app"
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"   # drag the app onto it to install
mkdir -p "$root/dist"
rm -f "$out"
hdiutil create -volname "Debate Prep $version" -srcfolder "$stage" -fs HFS+ \
    -format UDZO -ov "$out"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
    codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$out"
    if [ -n "${MACOS_NOTARY_PROFILE:-}" ]; then
        xcrun notarytool submit "$out" --keychain-profile "$MACOS_NOTARY_PROFILE" --wait
        xcrun stapler staple "$out"
    fi
fi
echo "$out"
