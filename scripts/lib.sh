# scripts/lib.sh: shared by run, test, telephony and bench. Paths, setup-if-needed, and the builds.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${SWITCHBOARD_CACHE:-$HOME/.cache/switchboard}
export SWITCHBOARD_CACHE=$cache
export NODE_PATH=/usr/share/nodejs
# switchboardd's own default database (run and telephony pass it explicitly, DB= overrides it).
default_db=${XDG_DATA_HOME:-$HOME/.local/share}/switchboard/switchboard.db

bold() { printf '\033[1m%s\033[0m\n' "$*"; }

ensure_setup() {
  # setup is idempotent and takes seconds when everything is present; run it every time so a
  # new dependency reaches every machine.
  "$here/scripts/setup"
}

# ccache (scripts/setup installs it) keeps every compiled object under the cache, keyed by its
# preprocessed source and flags, so that a fresh clone (CI) or a switch between branches rebuilds
# only what changed. Paths are made relative to the checkout, so that two checkouts share entries.
if command -v ccache > /dev/null; then
  export CCACHE_DIR=${CCACHE_DIR:-$cache/ccache}
  export CCACHE_BASEDIR=$here CCACHE_NOHASHDIR=true CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
  export EM_COMPILER_WRAPPER=ccache  # the web build: emcc runs its clang through ccache
fi

# Two builds of one tree at once (a test run and a developer's rebuild) corrupt it; each build
# of a preset holds that preset's lock, so the second waits for the first.
# locked_build PRESET [TARGET...]: no target builds everything of the preset.
locked_build() {
  local preset=$1; shift
  mkdir -p "$here/build"
  local launcher=()  # the native compilers run through ccache (emcc wraps its own, above)
  [ "$preset" != web ] && command -v ccache > /dev/null &&
    launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  local targets=()
  for t in "$@"; do targets+=(--target "$t"); done
  flock "$here/build/.$preset.lock" bash -c 'cmake --preset "$1" -S "$2" "${@:4}" > /dev/null && cmake --build "$2/build/$1" $3' \
    _ "$preset" "$here" "${targets[*]}" "${launcher[@]}"
}

# Each takes an optional list of targets (scripts/test builds only what its suites run);
# without one, the whole preset (scripts/run, scripts/bench, scripts/fuzz).
build_native() {
  bold "== build: native (gcc: server, bot, shell, unit tests, benchmarks)${*:+: only $*}"
  locked_build native "$@"
}

build_web() {
  bold "== build: web (WebAssembly app, unit tests for node, benchmark)${*:+: only $*}"
  locked_build web "$@"
}

build_asan() {
  bold "== build: asan (clang, ASan + UBSan: switchboardd, tools, unit tests, libFuzzer targets)${*:+: only $*}"
  locked_build asan "$@"
}
