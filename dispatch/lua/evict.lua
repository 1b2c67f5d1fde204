-- evict: remove a responder from one shard unless the shard holds a fix at least as new.
-- KEYS: 1 responder hash, 2 seen zset, 3 agg hash (one shard)
-- ARGV: 1 base, 2 id, 3 ts ('inf' = unconditional)
-- Returns {1, 1} removed, {1, 0} it was not here, {0, stored_ts} refused: stored_ts >= ts.
local pos = redis.call('HGET', KEYS[1], 'pos')
if pos and ARGV[3] ~= 'inf' then
  local _, _, stored = struct.unpack('<ddd', pos)
  if stored >= tonumber(ARGV[3]) then return {0, string.format('%.17g', stored)} end
end
return {1, unindex(ARGV[1], ARGV[2])}
