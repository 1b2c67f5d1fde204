-- sweep: remove responders whose fix is older than the cutoff from one shard.
-- KEYS: 1 seen zset, 2 agg hash (one shard)
-- ARGV: 1 base, 2 cutoff (fix_ts < cutoff is stale), 3 batch limit
-- Returns the number removed; call again while it equals the limit.
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do unindex(ARGV[1], id) end
return #ids
