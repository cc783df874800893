-- Shared by put.lua, get.lua and getrecords.lua (loaded with dofile).
-- Each wrk thread has its own Lua state: `id` comes from setup(), the
-- counters live per thread and done() (main state) sums them.
--
-- Environment: TABLE (table name), KEY_PREFIX (put: keys of this run),
-- KEYS (get: how many keys were preloaded), ITERATOR (getrecords).

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

non200 = 0
first_error = nil

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if first_error == nil then first_error = status .. " " .. (body or "") end
  end
end

function make_headers(target)
  return {
    ["X-Amz-Target"] = target,
    ["Content-Type"] = "application/x-amz-json-1.0",
    ["X-Amz-Date"] = "20240101T000000Z",
    ["Authorization"] = "AWS4-HMAC-SHA256 Credential=bench/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-target, Signature=0",
  }
end

-- One machine-readable line (parsed by run.sh) after wrk's own report.
function done(summary, latency, requests)
  local bad = 0
  local example = nil
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non200") or 0)
    example = example or t:get("first_error")
  end
  local e = summary.errors
  local sock = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    "EDDY_HTTP_RESULT requests=%d duration_s=%.3f rps=%.1f p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f non200=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    bad, sock))
  if example then io.write("EDDY_HTTP_FIRST_ERROR " .. string.sub(example, 1, 300) .. "\n") end
end
