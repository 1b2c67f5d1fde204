-- claim: make the pointer name the shard of a report that found no entry in its own shard.
-- KEYS: 1 pointer
-- ARGV: 1 shard, 2 ts (device)
-- Returns {1, previous ('' = none)} claimed, {0, current} refused: the pointer is as new.
local cur = redis.call('GET', KEYS[1])
if cur then
  local space = string.find(cur, ' ', 1, true)
  if tonumber(string.sub(cur, space + 1)) >= tonumber(ARGV[2]) then return {0, cur} end
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2])
return {1, cur or ''}
