#!/usr/bin/env bash
# What the bytes of the browser bundle are (issue #19): builds the release bundle into a scratch
# site folder (target/site is left alone), then names its functions and adds them up by crate with
# twiggy (installed here into the tools folder, once; never by the test run).
#
#   scripts/bundle-report.sh          the optimized bundle, with names (one more wasm-opt run, `-g`)
#   scripts/bundle-report.sh --fast   the wasm-bindgen output before wasm-opt (bigger, same shape)
#
# Reports go to target/bundle-report/: top.txt (the 40 biggest items), dominators.txt, monos.txt
# (the generic functions instantiated most), crates.txt (bytes by crate); the crate table is
# printed too. The names come from the `name` section, which the wasm-release profile keeps
# (its `strip` leaves symbols in) and wasm-opt drops from the bundle that is served.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/env.sh
source scripts/lib/env.sh
TWIGGY_VERSION=0.8.0
fast=
if [ "${1:-}" = "--fast" ]; then fast=1; fi

if ! "$TOOLS/bin/twiggy" --version 2>/dev/null | grep -q " $TWIGGY_VERSION\$"; then
  say "installing twiggy $TWIGGY_VERSION (a few minutes, once)"
  cargo install twiggy --version "$TWIGGY_VERSION" --locked --root "$TOOLS"
fi

out=target/bundle-report
rm -rf "$out"
mkdir -p "$out/named"

say "release build of the browser bundle (into $out/site)"
LEPTOS_SITE_ROOT="$out/site" cargo leptos build --release --cargo-locked --frontend-only
# The wasm as cargo linked it (with names), taken before anyone else's build replaces it.
cp target/front/wasm32-unknown-unknown/wasm-release/frontend.wasm "$out/named/frontend.wasm"
wasm_bindgen_out="$out/named/tenant-mesh_bg.wasm"
wasm-bindgen --target=web --out-name=tenant-mesh --out-dir="$out/named" "$out/named/frontend.wasm"

analysed="$wasm_bindgen_out"
if [ -z "$fast" ]; then
  # The wasm-opt flags of Cargo.toml's `wasm-opt-features` (or cargo-leptos' default), plus -g
  # to keep the names.
  flags="$(sed -n 's/^wasm-opt-features = \[\(.*\)\]/\1/p' Cargo.toml | tr -d '",')"
  flags="${flags:--Oz --enable-bulk-memory --enable-nontrapping-float-to-int}"
  say "wasm-opt $flags -g (names kept)"
  # shellcheck disable=SC2086
  wasm-opt $flags -g "$wasm_bindgen_out" -o "$out/named/optimized.wasm"
  analysed="$out/named/optimized.wasm"
fi

twiggy top -n 40 "$analysed" >"$out/top.txt"
twiggy dominators -d 4 -r 60 "$analysed" >"$out/dominators.txt"
twiggy monos -m 30 -n 3 "$analysed" >"$out/monos.txt"
twiggy top -n 1000000 --format csv "$analysed" >"$out/top.csv"

# Bytes by crate: the first path segment of each (demangled) function name; for a generic
# function of a trait (`<T as tachys::…::IntoAny>::…`) the trait's crate, marked `*`: that is
# framework code instantiated once per view or data type of the app. The app is split by module.
python3 - "$out/top.csv" >"$out/crates.txt" <<'PY'
import collections, csv, re, sys
sizes, counts = collections.Counter(), collections.Counter()
for row in csv.DictReader(open(sys.argv[1])):
    name, size = row["Name"], int(row["ShallowSize"])
    if "function names" in name:
        continue
    if name.startswith(("data segment", "elem[", "table[", "import ")):
        key = "(data, tables, imports)"
    elif name.startswith("code["):
        key = "(functions without a name)"
    else:
        bare = re.sub(r"^(?:<|&|\*|mut |const |dyn |\[|\()+", "", name)
        m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", bare)
        key = m.group(0) if m else "?"
        if len(key) <= 3 and key[0].isupper():  # a type parameter: the trait's crate
            t = re.search(r" as ([A-Za-z_][A-Za-z0-9_]*)::", name)
            key = (t.group(1) if t else key) + "*"
        elif key == "app":
            m = re.match(r"[<&]*app::([a-z_]+)(?:::([a-z_]+))?", name)
            if m:
                key = "app::" + m.group(1)
                if m.group(1) in ("pages", "components", "api") and m.group(2):
                    key += "::" + m.group(2)
    sizes[key] += size
    counts[key] += 1
total = sum(sizes.values())
print(f"{'bytes':>9} {'share':>6} {'items':>6}  crate (without the name section: {total} bytes)")
for key, size in sizes.most_common(40):
    print(f"{size:9d} {100 * size / total:5.1f}% {counts[key]:6d}  {key}")
PY

say "bytes by crate ($analysed)"
cat "$out/crates.txt"
say "reports in $out: top.txt dominators.txt monos.txt crates.txt; the bundle as served:"
for file in "$out"/site/pkg/*.wasm; do
  printf '%s: %d bytes, %d gzip\n' "$(basename "$file")" "$(wc -c <"$file")" "$(gzip -9 -c "$file" | wc -c)"
done
