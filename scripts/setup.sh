#!/usr/bin/env bash
# Installs what hlsgate needs on a Debian machine, then returns. Usage: setup.sh start|test|bench|build
# - npm packages: `npm ci` when node_modules is missing or older than package-lock.json;
# - Debian packages with apt-get (as root, or through sudo), only those that are missing.
# Stops with a message naming the missing piece where it cannot install it.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-test}"

fail() { printf '\nhlsgate setup: %s\n' "$*" >&2; exit 1; }
note() { printf 'hlsgate setup: %s\n' "$*" >&2; }

# Node 20.19+ (Vite 8 and the test tools need it).
node_version="$(node -p 'process.versions.node' 2>/dev/null)" || fail "Node.js is not installed: install Node 20.19 or newer."
IFS=. read -r major minor _ <<<"$node_version"
if (( major < 20 || (major == 20 && minor < 19) )); then
  fail "Node $node_version is too old: hlsgate needs Node 20.19 or newer."
fi

# command → Debian package, per mode.
declare -A package_of=(
  [ffmpeg]=ffmpeg [ffprobe]=ffmpeg [pocketsphinx_continuous]=pocketsphinx [espeak-ng]=espeak-ng [chromium]=chromium [php]=php-cli [phpunit]=phpunit [zip]=zip [xz]=xz-utils [composer]=composer
)
case "$mode" in
  start) needed=(ffmpeg ffprobe) ;;
  test) needed=(ffmpeg ffprobe pocketsphinx_continuous espeak-ng chromium php phpunit xz composer) ;;
  bench) needed=(ffmpeg ffprobe pocketsphinx_continuous espeak-ng chromium php) ;;
  build) needed=() ;;
  *) fail "unknown mode '$mode' (start, test, bench or build)" ;;
esac
# PHP extensions the filter's tests use (DOM, mbstring): Debian splits them into packages.
php_exts=()
if [[ " ${needed[*]} " == *" php "* ]]; then php_exts=(dom mbstring); fi
# The real Moodle of the tests (testing/moodle/) on PostgreSQL: the extensions its installer checks.
if [[ $mode == test ]]; then php_exts+=(pgsql curl zip gd intl soap readline bcmath); fi

missing=()
for cmd in "${needed[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${package_of[$cmd]}")
done
if command -v php >/dev/null 2>&1; then
  for ext in "${php_exts[@]}"; do
    php -m 2>/dev/null | grep -qix "$ext" || missing+=("php-$( [[ $ext == dom ]] && echo xml || echo "$ext")")
  done
else
  for ext in "${php_exts[@]}"; do missing+=("php-$( [[ $ext == dom ]] && echo xml || echo "$ext")"); done
fi

# Speech recognition (HLSGATE_ASR=pocketsphinx, and the tests' words): the engine's English model is a
# package of its own, with no command to look for.
if [[ $mode == test || $mode == bench ]] && [[ ! -f /usr/share/pocketsphinx/model/en-us/en-us/mdef ]]; then missing+=(pocketsphinx-en-us); fi
# whisper.cpp's binding (@fugood/node-whisper-linux-*, HLSGATE_ASR=whisper and its tests) links OpenMP's runtime.
if [[ $mode == test || $mode == bench ]] && ! ldconfig -p 2>/dev/null | grep -q 'libgomp\.so\.1 '; then missing+=(libgomp1); fi
# PostgreSQL's server binaries are not on PATH in Debian: look where its package puts them.
if [[ $mode == test ]] && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then missing+=(postgresql); fi
# Moodle's PHPUnit wants the locale en_AU.UTF-8; the harness builds it with localedef from `locales`.
if [[ $mode == test ]] && ! locale -a 2>/dev/null | grep -qi '^en_AU\.utf-\?8$' && [[ ! -f /usr/share/i18n/locales/en_AU ]]; then
  missing+=(locales)
fi

# WebKitGTK for the Safari native-path browser test (demo/e2e/webkit-native.spec.ts): installed with
# the rest where we can; where we cannot, that one test says so and skips, and the others still run.
webkit_packages=()
if [[ $mode == test ]]; then
  for pkg in webkit2gtk-driver xvfb gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav; do
    dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qx installed || webkit_packages+=("$pkg")
  done
  if ((${#webkit_packages[@]} > 0)) && ! { command -v apt-get >/dev/null 2>&1 && { [[ $(id -u) -eq 0 ]] || command -v sudo >/dev/null 2>&1; }; }; then
    note "WebKitGTK missing (${webkit_packages[*]}): the Safari native-path test will be skipped. As root: apt-get install ${webkit_packages[*]}"
    webkit_packages=()
  fi
  missing+=("${webkit_packages[@]}")
fi

if ((${#missing[@]} > 0)); then
  readarray -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [[ $(id -u) -eq 0 ]]; then sudo=(); elif command -v sudo >/dev/null 2>&1; then sudo=(sudo -n); else
    fail "missing Debian packages: ${missing[*]}. Install them as root: apt-get install ${missing[*]}"
  fi
  command -v apt-get >/dev/null 2>&1 || fail "missing packages (${missing[*]}) and no apt-get: install them by hand."
  note "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq || fail "apt-get update failed: is Debian's package mirror reachable?"
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} failed (see the messages above)."
fi
for cmd in "${needed[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || fail "'$cmd' is still missing after installing ${package_of[$cmd]}."
done
for pkg in "${webkit_packages[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qx installed || fail "$pkg is still missing after installing it."
done

# npm packages: reinstall when the lockfile changed since the last install.
stamp=node_modules/.hlsgate-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ ! -d node_modules || ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
  note "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund || fail "npm ci failed (see the messages above)."
  echo "$want" >"$stamp"
fi
