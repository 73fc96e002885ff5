# The soak's verdict: the least-squares slope per minute of each series of samples.tsv
# (t_s, rss_kib, fds, maps, threads; tab-separated, a header line) over the samples at or after
# `settle` seconds, each against its bound. One line per series, "ok  " or "FAIL" first, then a
# last line that is "FAIL" when any series failed or fewer than four samples remain.
#
#   awk -F'\t' -v settle=120 -v max_rss=2048 -v max_fds=2 -v max_maps=6 -v max_threads=2 \
#       -f deploy/soak/slopes.awk samples.tsv
#
#   slope = (n * sum(t*y) - sum(t) * sum(y)) / (n * sum(t*t) - sum(t)^2),  t in minutes
NR == 1 { for (i = 2; i <= NF; i++) name[i] = $i; next }
$1 + 0 < settle { next }
{
  n++; t = $1 / 60; st += t; stt += t * t
  for (i = 2; i <= NF; i++) { sy[i] += $i; sty[i] += t * $i; if (!(i in first)) first[i] = $i; last[i] = $i }
}
END {
  bound[2] = max_rss; bound[3] = max_fds; bound[4] = max_maps; bound[5] = max_threads
  unit[2] = "KiB/min"; unit[3] = "/min"; unit[4] = "/min"; unit[5] = "/min"
  if (n < 4) { print "FAIL only " n " samples after the warm-up"; exit }
  d = n * stt - st * st; failed = 0
  for (i = 2; i <= 5; i++) {
    slope = (n * sty[i] - st * sy[i]) / d
    over = slope > bound[i] + 0; failed += over
    printf "%s %-8s slope %9.2f %-8s (bound %s)  first %s last %s\n", over ? "FAIL" : "ok  ", name[i], slope, unit[i], bound[i], first[i], last[i]
  }
  printf "%s %d samples after the warm-up\n", failed ? "FAIL" : "ok  ", n
}
