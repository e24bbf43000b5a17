#!/usr/bin/env bash
# Copyright 2026 The flink-linear-attention authors
# SPDX-License-Identifier: Apache-2.0
# Fetches a longer human sequence for `demo --fasta`: GenBank record BA000025 (2,229,817 bp of
# human chromosome 6, the MHC region) from Debian's emboss-test 6.6.0+dfsg-12 package, file
# usr/share/EMBOSS/test/genbank/gbpri1.seq, converted to a one-record FASTA file (gzipped).
# Needs apt-get (Debian/Ubuntu), dpkg-deb, awk, gzip and sha256sum; no root for the download.
#
#   scripts/fetch-chr6.sh [OUT]          (default data/BA000025.fa.gz)
#   java -jar target/flink-linear-attention.jar demo --fasta data/BA000025.fa.gz --bases 1000000
#
# The script prints the SHA-256 of the uncompressed FASTA; pass it with --sha256 to have the demo
# check it on every read.
set -euo pipefail
out="${1:-data/BA000025.fa.gz}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

( cd "$work" && apt-get download emboss-test=6.6.0+dfsg-12 >/dev/null )
deb="$(ls "$work"/emboss-test_*.deb)"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/EMBOSS/test/genbank/gbpri1.seq > "$work/gbpri1.seq"

# GenBank flat file: records end with '//'; the bases follow the ORIGIN line as
# "<position> acgtacgtac acgt..." groups. Keep record BA000025 only, as upper-case A/C/G/T.
awk -v acc=BA000025 '
  /^LOCUS/    { inrec = ($2 == acc); inseq = 0; next }
  inrec && /^ORIGIN/ { inseq = 1; print ">" acc " Homo sapiens chromosome 6 (emboss-test 6.6.0+dfsg-12, gbpri1.seq)"; next }
  /^\/\//     { if (inrec) exit; inseq = 0; next }
  inrec && inseq {
    line = ""
    for (i = 2; i <= NF; i++) line = line $i
    buf = buf toupper(line)
    while (length(buf) >= 60) { print substr(buf, 1, 60); buf = substr(buf, 61) }
  }
  END { if (length(buf) > 0) print buf }
' "$work/gbpri1.seq" > "$work/BA000025.fa"

bases="$(grep -v '^>' "$work/BA000025.fa" | tr -d '\n' | wc -c)"
if [ "$bases" -eq 0 ]; then
  echo "record BA000025 not found in gbpri1.seq" >&2
  exit 1
fi
other="$(grep -v '^>' "$work/BA000025.fa" | tr -d '\nACGT' | wc -c)"
mkdir -p "$(dirname "$out")"
gzip -n -9 -c "$work/BA000025.fa" > "$out"
echo "wrote $out: $bases bases ($other not A/C/G/T)"
echo "sha256 (uncompressed FASTA): $(sha256sum "$work/BA000025.fa" | cut -d' ' -f1)"
