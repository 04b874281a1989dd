# Sourced by scripts/test.sh: the steward page's browser tests drive Debian's Chromium
# (/usr/bin/chromium) with playwright-core; browser downloads are not possible here, so the browser
# comes from Debian's packages. Installs it with apt-get when it is missing (needs root or sudo).
ensure_chromium() {
  [[ -x /usr/bin/chromium ]] && return 0
  echo "Chromium not found; installing Debian's chromium package for the browser tests (first run only)…"
  local sudo=""
  ((EUID == 0)) || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null ||
    { echo "could not install chromium with apt-get; install Debian's chromium package (/usr/bin/chromium) and rerun" >&2; return 1; }
}
