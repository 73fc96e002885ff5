#!/bin/sh
# Assembles the guests in src/main/wat with wat2wasm (Debian package wabt) into the jar's resources:
#   assemble-guests.sh SOURCE_DIR OUTPUT_DIR
# A source holding a line with the marker ";; @lookup-table OFFSET ENTRIES@" gets, in place of that
# line, an active data segment at OFFSET of ENTRIES little-endian u32 with entry i = i * 0x9E3779B1
# mod 2^32 (lookup-table.wat), generated here so that no opaque bytes are committed.
set -eu
src=$1
out=$2
command -v wat2wasm >/dev/null 2>&1 || {
  echo "warmpool: guests assembles its WebAssembly guests ($src/*.wat) with wat2wasm, and there is no wat2wasm on the PATH; install it (Debian: apt-get install wabt)" >&2
  exit 1
}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for wat in "$src"/*.wat; do
  name=$(basename "$wat" .wat)
  marker=$(grep -n ';; @lookup-table [0-9]* [0-9]*@' "$wat" | head -1 || true)
  if [ -n "$marker" ]; then
    line=${marker%%:*}
    set -- $(echo "$marker" | sed 's/.*@lookup-table \([0-9]*\) \([0-9]*\)@.*/\1 \2/')
    head -n $((line - 1)) "$wat" > "$work/$name.wat"
    # Each entry: four \hh escapes, little-endian; 16 entries (64 bytes) a string. mawk's numbers are
    # doubles: i * 2654435761 stays below 2^53 for i < 2^21, so the product and its remainder are exact.
    awk -v offset="$1" -v entries="$2" 'BEGIN {
      if (entries > 2097152) { print "lookup-table: at most 2097152 entries" > "/dev/stderr"; exit 1 }
      printf "  (data (i32.const %d)\n", offset
      for (i = 0; i < entries; i++) {
        v = (i * 2654435761) % 4294967296
        if (i % 16 == 0) printf "    \""
        printf "\\%02x\\%02x\\%02x\\%02x", v % 256, int(v / 256) % 256, int(v / 65536) % 256, int(v / 16777216)
        if (i % 16 == 15 || i == entries - 1) printf "\"\n"
      }
      printf "  )\n"
    }' >> "$work/$name.wat"
    tail -n +$((line + 1)) "$wat" >> "$work/$name.wat"
    wat=$work/$name.wat
  fi
  wat2wasm -o "$out/$name.wasm" "$wat" || {
    echo "warmpool: wat2wasm refused $wat (above: what it said)" >&2
    exit 1
  }
done
