-- sweep: remove responders whose fix is older than the cutoff from one shard.
-- KEYS: 1 seen zset, 2 agg hash (one shard)
-- ARGV: 1 base, 2 cutoff (fix_ts < cutoff is stale), 3 batch limit
-- `seen` scores may lag the real fix by up to 10 s (upsert.lua skips most ZADDs), so each
-- candidate's entry is checked: a fresh one gets its score corrected instead of being removed.
-- Returns {examined, removed}; call again while examined equals the limit.
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local cutoff = tonumber(ARGV[2])
local removed = 0
for _, id in ipairs(ids) do
  local rkey = ARGV[1] .. 'r:' .. id
  local pos = redis.call('HGET', rkey, 'pos')
  local fix = pos and select(4, struct.unpack('<dddd', pos))
  if fix and fix >= cutoff then
    redis.call('ZADD', KEYS[1], fix, id)
    redis.call('HSET', rkey, 'zs', fix)
  else
    removed = removed + unindex(ARGV[1], id)
  end
end
return {#ids, removed}
