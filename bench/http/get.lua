-- GetItem of a uniformly random key among the KEYS keys g0 .. g(KEYS-1) that
-- run.sh preloaded (every request hits an existing item).
dofile((os.getenv("HTTP_BENCH_DIR") or "bench/http") .. "/common.lua")

local tbl = os.getenv("TABLE") or "bench"
local nkeys = tonumber(os.getenv("KEYS") or "10000")
local headers

function init(args)
  headers = make_headers("DynamoDB_20120810.GetItem")
  math.randomseed(12345 + id * 7919)
end

function request()
  local body = '{"TableName":"' .. tbl .. '","Key":{"pk":{"S":"g' .. math.random(0, nkeys - 1) .. '"}}}'
  return wrk.format("POST", "/", headers, body)
end
