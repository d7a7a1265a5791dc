-- For bench/loadgen.py. With BENCH_COOKIES_FILE set (one Cookie header value a line), each
-- request carries the next of those cookies, so signed-in traffic is spread over many learners.
-- At the end, prints wrk's summary as one JSON line (latencies in microseconds).
local cookies = {}
local next_cookie = 0
local path = os.getenv("BENCH_COOKIES_FILE")
if path then
  for line in io.lines(path) do
    if #line > 0 then cookies[#cookies + 1] = line end
  end
end

init = function(args)
  next_cookie = math.random(0, math.max(#cookies - 1, 0))
end

if #cookies > 0 then
  request = function()
    next_cookie = next_cookie % #cookies + 1
    return wrk.format(nil, nil, {Cookie = cookies[next_cookie]})
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99),
    latency.max, latency.mean))
end
