#!/bin/sh
# Remove Debate Prep as installed by install.sh: exactly what <prefix>/.install-manifest
# lists (the app folder, the menu entry, the icons, the command link, and the folders
# install.sh had to create, when they are empty again). Your library and settings
# (~/.local/share/debate-prep, or $DEBATE_PREP_HOME) are kept; delete that folder
# yourself to remove them too.
set -eu

quiet=0
[ "${1:-}" = "--quiet" ] && quiet=1
say() { [ "$quiet" = 1 ] || echo "$@"; }

prefix=$(cd "$(dirname "$0")" && pwd -P)
manifest="$prefix/.install-manifest"
[ -f "$manifest" ] || { echo "uninstall.sh: no $manifest: not an installed copy" >&2; exit 1; }

# Read the whole manifest before the app folder (and this script) goes away.
entries=$(cat "$manifest")

remove_entries() {
    printf '%s\n' "$entries" | while IFS="$(printf '\t')" read -r kind path; do
        case "$kind" in
            file)
                if [ -f "$path" ]; then rm -f "$path"; fi ;;
            link)
                # only our link: it must still point into the app folder
                if [ -L "$path" ] && [ "$(readlink "$path")" = "$prefix/debate-prep" ]; then
                    rm -f "$path"
                fi ;;
        esac
    done
    app=$(printf '%s\n' "$entries" | awk -F '\t' '$1 == "app" {print $2}')
    if [ "$app" = "$prefix" ]; then
        rm -rf "$prefix"
    fi
    # Folders install.sh created, innermost first, only when nothing else is in them.
    printf '%s\n' "$entries" | awk -F '\t' '$1 == "dir" {print $2}' | sort -r |
        while IFS= read -r dir; do
            rmdir "$dir" 2>/dev/null || true
        done
}

remove_entries
say "Debate Prep is uninstalled."
say "Your library and settings are kept in ${DEBATE_PREP_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/debate-prep}."
exit 0
