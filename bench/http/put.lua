-- PutItem of a distinct key per request: KEY_PREFIX .. thread id .. "-" .. counter,
-- a 100-byte string value. Keys never repeat within a run, so every write is an
-- insert (with a stream on: one INSERT record, NEW_AND_OLD_IMAGES).
dofile((os.getenv("HTTP_BENCH_DIR") or "bench/http") .. "/common.lua")

local tbl = os.getenv("TABLE") or "bench"
local prefix = os.getenv("KEY_PREFIX") or "p"
local value = string.rep("x", 100)
local headers
local counter = 0

function init(args)
  headers = make_headers("DynamoDB_20120810.PutItem")
  prefix = prefix .. id .. "-"
end

function request()
  counter = counter + 1
  local body = '{"TableName":"' .. tbl .. '","Item":{"pk":{"S":"' .. prefix .. counter ..
               '"},"v":{"S":"' .. value .. '"}}}'
  return wrk.format("POST", "/", headers, body)
end
