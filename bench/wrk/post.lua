-- wrk script: POST the same JSON body to one path with the given
-- Authorization header; optionally a fresh Idempotency-Key per request;
-- optionally stop each thread after a number of responses. Prints one
-- "RESULT {json}" line with the counts and latency percentiles.
--
-- Environment: BENCH_PATH, BENCH_BODY, BENCH_AUTH, BENCH_IDEMPOTENCY ("1"),
-- BENCH_LIMIT_PER_THREAD (responses before the thread stops; 0 = none).

local path = os.getenv("BENCH_PATH")
local body = os.getenv("BENCH_BODY")
local auth = os.getenv("BENCH_AUTH")
local idempotency = os.getenv("BENCH_IDEMPOTENCY") == "1"
local limit = tonumber(os.getenv("BENCH_LIMIT_PER_THREAD") or "0")

local threads = {}
local counter = 0
local responses = 0
-- Globals, so the main state can read them from each thread at the end.
created = 0
prefix = ""

function setup(thread)
  thread:set("prefix", tostring(#threads + 1) .. "-" .. tostring(math.random(1, 1e9)))
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = auth
end

function request()
  counter = counter + 1
  if idempotency then
    wrk.headers["Idempotency-Key"] = prefix .. "-" .. counter
  end
  return wrk.format(nil, path)
end

function response(status, headers, response_body)
  responses = responses + 1
  if status == 201 then
    created = created + 1
  end
  if limit > 0 and responses >= limit then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local total_created = 0
  for _, thread in ipairs(threads) do
    total_created = total_created + (thread:get("created") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "created": %d, "duration_us": %d, ' ..
    '"errors_connect": %d, "errors_read": %d, "errors_write": %d, ' ..
    '"errors_status": %d, "errors_timeout": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, total_created, summary.duration,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max))
end
