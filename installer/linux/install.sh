#!/bin/sh
# Install Debate Prep for the current user (no root needed):
#   the app folder    -> ~/.local/opt/debate-prep       (or --prefix DIR)
#   the menu entry    -> ~/.local/share/applications/debate-prep.desktop
#   the icon          -> ~/.local/share/icons/hicolor/{256x256,scalable}/apps/
#   the command       -> ~/.local/bin/debate-prep        (a link, if that name is free)
# Everything added is listed in <prefix>/.install-manifest; <prefix>/uninstall.sh removes
# exactly that. Your library (~/.local/share/debate-prep) is never touched by either.
# Running it again upgrades: the old install is removed first.
set -eu

usage() {
    echo "usage: $0 [--prefix DIR] [--no-command] [--quiet]"
}

here=$(cd "$(dirname "$0")" && pwd -P)
prefix="${HOME}/.local/opt/debate-prep"
link_command=1
quiet=0
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || { usage >&2; exit 2; }; prefix="$2"; shift 2 ;;
        --prefix=*) prefix="${1#--prefix=}"; shift ;;
        --no-command) link_command=0; shift ;;
        --quiet) quiet=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done

say() { [ "$quiet" = 1 ] || echo "$@"; }
die() { echo "install.sh: $*" >&2; exit 1; }

[ -x "$here/debate-prep" ] && [ -d "$here/_internal" ] || die "run me from the unpacked Debate Prep folder"
case "$(uname -s)/$(uname -m)" in
    Linux/x86_64) ;;
    *) die "this package is for Linux on x86-64, not $(uname -s)/$(uname -m)" ;;
esac

data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
apps_dir="$data_home/applications"
icon_png_dir="$data_home/icons/hicolor/256x256/apps"
icon_svg_dir="$data_home/icons/hicolor/scalable/apps"
bin_dir="$HOME/.local/bin"

case "$prefix" in /*) ;; *) prefix="$(pwd -P)/$prefix" ;; esac
prefix="${prefix%/}"

# Installing the unpacked folder where it is ("in place"): only the menu entry, icon and
# command are added, and uninstall.sh leaves the folder itself alone.
in_place=0
if [ -d "$prefix" ] && [ "$(cd "$prefix" && pwd -P)" = "$here" ]; then
    in_place=1
fi

# An earlier install at the same place: remove it first (an upgrade).
if [ -f "$prefix/.install-manifest" ] && [ -x "$prefix/uninstall.sh" ]; then
    say "removing the earlier install in $prefix"
    "$prefix/uninstall.sh" --quiet
fi
if [ "$in_place" = 0 ] && [ -e "$prefix" ] && [ -n "$(ls -A "$prefix" 2>/dev/null)" ]; then
    die "$prefix exists and is not an earlier Debate Prep install; choose another --prefix"
fi

manifest_tmp=$(mktemp)
trap 'rm -f "$manifest_tmp"' EXIT
# Record each folder we create (outermost first) so uninstall.sh can remove it if empty.
make_dir() {
    missing=""
    d="$1"
    while [ ! -d "$d" ]; do
        missing="$d
$missing"
        d=$(dirname "$d")
    done
    mkdir -p "$1"
    printf '%s' "$missing" | while IFS= read -r m; do
        [ -n "$m" ] && printf 'dir\t%s\n' "$m" >> "$manifest_tmp"
    done
    return 0
}

if [ "$in_place" = 1 ]; then
    prefix="$here"
    say "registering Debate Prep where it is: $prefix"
    printf 'file\t%s\n' "$prefix/.install-manifest" >> "$manifest_tmp"
else
    make_dir "$prefix"
    prefix=$(cd "$prefix" && pwd -P)
    say "installing Debate Prep into $prefix"
    cp -R "$here/." "$prefix/"
    printf 'app\t%s\n' "$prefix" >> "$manifest_tmp"
fi

make_dir "$icon_png_dir"
cp "$here/debate-prep.png" "$icon_png_dir/debate-prep.png"
printf 'file\t%s\n' "$icon_png_dir/debate-prep.png" >> "$manifest_tmp"
make_dir "$icon_svg_dir"
cp "$here/debate-prep.svg" "$icon_svg_dir/debate-prep.svg"
printf 'file\t%s\n' "$icon_svg_dir/debate-prep.svg" >> "$manifest_tmp"

make_dir "$apps_dir"
desktop="$apps_dir/debate-prep.desktop"
cat > "$desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Version=1.0
Name=Debate Prep
GenericName=Debate evidence and research
Comment=Search your evidence, cut cards and build blocks with a local AI team, offline
Exec="$prefix/debate-prep"
Icon=debate-prep
Terminal=false
Categories=Education;Office;
Keywords=debate;evidence;cards;verbatim;research;
StartupWMClass=debate-prep
X-Debate-Prep-Install=$prefix
DESKTOP
printf 'file\t%s\n' "$desktop" >> "$manifest_tmp"

if [ "$link_command" = 1 ]; then
    if [ -e "$bin_dir/debate-prep" ] || [ -L "$bin_dir/debate-prep" ]; then
        say "note: $bin_dir/debate-prep already exists; not replacing it"
    else
        make_dir "$bin_dir"
        ln -s "$prefix/debate-prep" "$bin_dir/debate-prep"
        printf 'link\t%s\n' "$bin_dir/debate-prep" >> "$manifest_tmp"
        case ":$PATH:" in
            *":$bin_dir:"*) ;;
            *) say "note: add $bin_dir to your PATH to run debate-prep from a terminal" ;;
        esac
    fi
fi

cp "$manifest_tmp" "$prefix/.install-manifest"

# Qt's X11 plugin needs a few libraries that every desktop has but minimal systems lack.
if command -v ldd >/dev/null 2>&1; then
    xcb="$prefix/_internal/PySide6/Qt/plugins/platforms/libqxcb.so"
    if [ -f "$xcb" ]; then
        lacking=$(LD_LIBRARY_PATH="$prefix/_internal:$prefix/_internal/PySide6/Qt/lib" \
            ldd "$xcb" 2>/dev/null | awk '/not found/ {print $1}' | tr '\n' ' ')
        if [ -n "$lacking" ]; then
            say "note: the window needs these system libraries, missing here: $lacking"
            say "      (Debian/Ubuntu: sudo apt install libxcb-cursor0 libxkbcommon-x11-0"
            say "       libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0"
            say "       libxcb-render-util0 libxcb-image0 libxcb-xkb1)"
        fi
    fi
fi

say "done: start Debate Prep from your applications menu, or run $prefix/debate-prep"
say "to uninstall: $prefix/uninstall.sh"
