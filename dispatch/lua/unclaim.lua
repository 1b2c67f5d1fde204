-- unclaim: undo a claim whose report turned out stale, if no one claimed since.
-- KEYS: 1 pointer
-- ARGV: 1 the value our claim set, 2 the value before it ('' = none)
-- Returns 1 restored, 0 someone else claimed in between (their claim stands).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2]) end
return 1
