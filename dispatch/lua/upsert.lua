-- upsert: store one position report in its shard, atomically.
-- KEYS: 1 responder hash, 2 seen zset, 3 agg hash (all in the shard of the new cell)
-- ARGV: 1 base, 2 id, 3 lat, 4 lon, 5 ts (device), 6 fix_ts, 7 cell, 8 cell res 8, 9 cell res 7,
--       10 accuracy, 11 speed ('' = none), 12 heading ('' = none), 13 may_create ('1'/'0'),
--       14 status code, 15 mode code, 16 capability codes (used only when creating)
-- Returns 0 ignored (stored ts >= ts), 1 updated, 2 created,
--        -1 no entry in this shard and may_create = '0': the caller consults the pointer.
local base, id = ARGV[1], ARGV[2]
local ts = tonumber(ARGV[5])
local cell, c8, c7 = ARGV[7], ARGV[8], ARGV[9]
local cur = redis.call('HMGET', KEYS[1], 'ts', 'cell', 'c8', 'c7', 'st', 'mode', 'caps')
local st, mode, caps
if cur[1] then
  if tonumber(cur[1]) >= ts then return 0 end
  st, mode, caps = cur[5], cur[6], cur[7]
else
  if ARGV[13] ~= '1' then return -1 end
  st, mode, caps = ARGV[14], ARGV[15], ARGV[16]
end
local packed = pack(tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[6]), st, mode, caps)
if cur[1] and cur[2] ~= cell then unplace(base, id, cur[2], caps) end
place(base, id, cell, caps, packed)
if not cur[1] then
  count(base, c8, st, caps, 1)
  count(base, c7, st, caps, 1)
else
  if cur[3] ~= c8 then count(base, cur[3], st, caps, -1); count(base, c8, st, caps, 1) end
  if cur[4] ~= c7 then count(base, cur[4], st, caps, -1); count(base, c7, st, caps, 1) end
end
redis.call('HSET', KEYS[1], 'ts', ARGV[5], 'fix', ARGV[6], 'lat', ARGV[3], 'lon', ARGV[4],
  'cell', cell, 'c8', c8, 'c7', c7, 'acc', ARGV[10], 'spd', ARGV[11], 'hdg', ARGV[12],
  'st', st, 'mode', mode, 'caps', caps)
redis.call('ZADD', KEYS[2], ARGV[6], id)
if cur[1] then return 1 end
return 2
