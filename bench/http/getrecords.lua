-- GetRecords with Limit 100 and always the same TRIM_HORIZON iterator (ITERATOR,
-- obtained by run.sh for a shard holding >= 1000 records). Iterators can be reused
-- until they expire, so every request re-reads the shard's first 100 records;
-- it does not follow NextShardIterator (wrk cannot chain responses easily).
dofile((os.getenv("HTTP_BENCH_DIR") or "bench/http") .. "/common.lua")

local iterator = os.getenv("ITERATOR") or error("ITERATOR is not set")
local req

function init(args)
  req = wrk.format("POST", "/", make_headers("DynamoDBStreams_20120810.GetRecords"),
                   '{"ShardIterator":"' .. iterator .. '","Limit":100}')
end

function request()
  return req
end
