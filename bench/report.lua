-- wrk script for bench/run.sh: prints one machine-readable line after the run.
--
-- Only the `done` hook is defined on purpose: a `response` hook makes wrk build a Lua table of
-- headers and a Lua string of the body for EVERY response, which on a shared 2-core machine
-- would make wrk itself the bottleneck. wrk's own counter `summary.errors.status` counts every
-- response whose status is > 399 (the "Non-2xx or 3xx responses" line); the benchmark sends no
-- conditional or redirect-provoking requests, so any 1xx/3xx would also be a bug, and the
-- separate verification pass in run.sh checks status 200 and whole, valid bodies.
-- Connection-level errors (connect/read/write/timeout) are reported too: a response cut short
-- shows up as a read error or a parse failure in wrk.

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d bytes=%d status_errors=%d connect_errors=%d read_errors=%d " ..
    "write_errors=%d timeouts=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
