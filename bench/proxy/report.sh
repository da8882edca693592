#!/usr/bin/env bash
# report.sh RESULTS_DIR : turns http.tsv, bulk.tsv and idle.tsv into summary.md (min/median/max per
# case, ratios against HAProxy) and prints it. Safe to re-run on an old results folder.
# Copied from the shared proxy harness (../shared/bench, 2026-11) so that it runs from a clean clone.
set -euo pipefail
R=${1:?usage: report.sh RESULTS_DIR}
REF=${REF:-haproxy-http-nt1}
CAND_REF=$(awk -F': ' '/^candidate_ref:/ {print $2}' "$R/machine.txt" 2>/dev/null || true)
CAND_REF=${CAND_REF:-$REF}

AWK_LIB='
function sortn(a, m,   i, j, x) { for (i = 2; i <= m; i++) { x = a[i]; j = i - 1; while (j > 0 && a[j] > x) { a[j+1] = a[j]; j-- } a[j+1] = x } }
function med(a, m) { return (m % 2) ? a[(m+1)/2] : (a[m/2] + a[m/2+1]) / 2 }
'

{
echo "# Benchmark summary: $(basename "$R")"
echo
echo '```'
cat "$R/machine.txt"
echo '```'

if [ -s "$R/http.tsv" ]; then
  echo
  echo "## HTTP (wrk, keep-alive; median of runs, [min–max])"
  echo
  echo "req/CPU-s = requests served per second of CPU used by the proxy process(es) during the run (higher is better; blank for direct)."
  echo "foreign CPU-s = CPU used by processes outside the harness during a run (another program on the machine); runs above FOREIGN_MAX were retried."
echo "Ratio = median req/s of the row / median req/s of \`$REF\` in the same block (candidate: / \`$CAND_REF\`)."
  awk -F'\t' -v ref="$REF" -v cref="$CAND_REF" "$AWK_LIB"'
    NR == 1 { next }
    { blk = $2 " c=" $3; k = blk SUBSEP $1
      if (!(blk in seenb)) { seenb[blk] = 1; blocks[++nb] = blk }
      if (!(k in n)) { tg[blk, ++nt[blk]] = $1 }
      m = ++n[k]; rps[k, m] = $5; p50[k, m] = $6; p99[k, m] = $7
      eff[k, m] = ($11 > 0) ? $8 / $11 : 0; err[k] += $9 + $10; if ($13 + 0 > fmax[k]) fmax[k] = $13 + 0 }
    END {
      for (b = 1; b <= nb; b++) { blk = blocks[b]
        printf "\n### body %s\n\n| target | req/s | p50 ms | p99 ms | req/CPU-s | ratio | errors | foreign CPU-s max |\n|---|---|---|---|---|---|---|---|\n", blk
        for (t = 1; t <= nt[blk]; t++) { k = blk SUBSEP tg[blk, t]; m = n[k]
          for (i = 1; i <= m; i++) { a[i] = rps[k, i]; c[i] = p50[k, i]; d[i] = p99[k, i]; e[i] = eff[k, i] }
          sortn(a, m); sortn(c, m); sortn(d, m); sortn(e, m)
          mr[tg[blk, t]] = med(a, m)
          row[t] = sprintf("| %s | %.0f [%.0f–%.0f] | %.3f [%.3f–%.3f] | %.3f [%.3f–%.3f] | %s |", tg[blk, t], med(a, m), a[1], a[m], med(c, m), c[1], c[m], med(d, m), d[1], d[m], (med(e, m) > 0) ? sprintf("%.0f", med(e, m)) : "")
          ers[t] = err[k]; fm[t] = fmax[k] }
        for (t = 1; t <= nt[blk]; t++) { x = tg[blk, t]; r = (x == "candidate") ? cref : ref
          rat = (r in mr && mr[r] > 0) ? sprintf("%.2f", mr[x] / mr[r]) : ""
          printf "%s %s | %d | %.2f |\n", row[t], rat, ers[t], fm[t] }
        delete mr } }' "$R/http.tsv"
fi

if [ -s "$R/bulk.tsv" ]; then
  echo
  echo "## Bulk TCP (iperf3 -n, one stream; median [min–max])"
  echo
  echo "| target | Gbit/s | seconds | proxy CPU s | ratio to haproxy-tcp |"
  echo "|---|---|---|---|---|"
  awk -F'\t' "$AWK_LIB"'
    NR == 1 { next }
    { if (!($1 in n)) tg[++nt] = $1; m = ++n[$1]; g[$1, m] = $3; s[$1, m] = $4; c[$1, m] = $6 }
    END { for (t = 1; t <= nt; t++) { k = tg[t]; m = n[k]
            for (i = 1; i <= m; i++) { a[i] = g[k, i]; b[i] = s[k, i]; d[i] = c[k, i] }
            sortn(a, m); sortn(b, m); sortn(d, m); mg[k] = med(a, m)
            row[t] = sprintf("| %s | %.2f [%.2f–%.2f] | %.3f [%.3f–%.3f] | %.2f |", k, med(a, m), a[1], a[m], med(b, m), b[1], b[m], med(d, m)) }
          for (t = 1; t <= nt; t++) printf "%s %s |\n", row[t], ("haproxy-tcp" in mg) ? sprintf("%.2f", mg[tg[t]] / mg["haproxy-tcp"]) : "" }' "$R/bulk.tsv"
fi

if [ -s "$R/idle.tsv" ]; then
  echo
  echo "## Idle keep-alive connections (one request each, then idle; median [min–max])"
  echo
  echo "RSS = VmRSS summed over the proxy's processes. Kernel socket memory is not in RSS; the TCP page count is machine-wide (/proc/net/sockstat)."
  echo
  echo "| target | conns ok/wanted | RSS before KiB | RSS after KiB | bytes/conn | backend conns | kernel TCP pages before→after |"
  echo "|---|---|---|---|---|---|---|"
  awk -F'\t' "$AWK_LIB"'
    NR == 1 { next }
    { if (!($1 in n)) tg[++nt] = $1; m = ++n[$1]; ok[$1, m] = $4; want[$1] = $3; rb[$1, m] = $6; ra[$1, m] = $7; pc[$1, m] = $8; bc[$1, m] = $10; mb[$1, m] = $11; ma[$1, m] = $12 }
    END { for (t = 1; t <= nt; t++) { k = tg[t]; m = n[k]
            for (i = 1; i <= m; i++) { a[i] = ok[k, i]; b[i] = rb[k, i]; c[i] = ra[k, i]; d[i] = pc[k, i]; e[i] = bc[k, i]; f[i] = mb[k, i]; g[i] = ma[k, i] }
            sortn(a, m); sortn(b, m); sortn(c, m); sortn(d, m); sortn(e, m); sortn(f, m); sortn(g, m)
            printf "| %s | %d/%d | %.0f [%.0f–%.0f] | %.0f [%.0f–%.0f] | %.0f [%.0f–%.0f] | %.0f | %.0f→%.0f |\n", k, a[1], want[k], med(b, m), b[1], b[m], med(c, m), c[1], c[m], med(d, m), d[1], d[m], med(e, m), med(f, m), med(g, m) } }' "$R/idle.tsv"
fi
} >"$R/summary.md"
cat "$R/summary.md"
