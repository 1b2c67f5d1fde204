-- upsert: store one position report in its shard, atomically.
-- KEYS: 1 responder hash (in the shard of the new cell; the other keys share its hash tag)
-- ARGV: 1 one space-separated line: base, id, lat, lon, ts (device), fix_ts, cell,
--       cell at res 8, cell at res 7, accuracy, speed, heading, may_create ('1'/'0'),
--       status code, mode code, capability codes (these three only used when creating),
--       coarse cell (index resolution - 2, for the occupancy sets);
--       '-' stands for an empty value
-- Returns 0 ignored (stored ts >= ts), 1 updated, 2 created,
--        -1 no entry in this shard and may_create = '0': the caller consults the pointer.
local f = {}
for word in string.gmatch(ARGV[1], '%S+') do
  if word == '-' then word = '' end
  f[#f + 1] = word
end
local base, id = f[1], f[2]
local ts = tonumber(f[5])
local cell, c8, c7, coarse = f[7], f[8], f[9], f[17]
local cur = redis.call('HMGET', KEYS[1], 'ts', 'cell', 'c8', 'c7', 'st', 'mode', 'caps', 'co')
local st, mode, caps
if cur[1] then
  if tonumber(cur[1]) >= ts then return 0 end
  st, mode, caps = cur[5], cur[6], cur[7]
else
  if f[13] ~= '1' then return -1 end
  st, mode, caps = f[14], f[15], f[16]
end
local packed = pack(tonumber(f[3]), tonumber(f[4]), tonumber(f[6]), st, mode, caps)
if cur[1] and cur[2] ~= cell then unplace(base, id, cur[2], cur[8], caps) end
place(base, id, cell, coarse, caps, packed)
if not cur[1] then
  count(base, c8, st, caps, 1)
  count(base, c7, st, caps, 1)
else
  if cur[3] ~= c8 then count(base, cur[3], st, caps, -1); count(base, c8, st, caps, 1) end
  if cur[4] ~= c7 then count(base, cur[4], st, caps, -1); count(base, c7, st, caps, 1) end
end
if cur[1] then
  -- only what a report changes: status, mode and capabilities belong to restate.lua
  redis.call('HSET', KEYS[1], 'ts', f[5], 'fix', f[6], 'lat', f[3], 'lon', f[4],
    'acc', f[10], 'spd', f[11], 'hdg', f[12])
  if cur[2] ~= cell then redis.call('HSET', KEYS[1], 'cell', cell, 'c8', c8, 'c7', c7, 'co', coarse) end
else
  redis.call('HSET', KEYS[1], 'ts', f[5], 'fix', f[6], 'lat', f[3], 'lon', f[4],
    'cell', cell, 'c8', c8, 'c7', c7, 'co', coarse, 'acc', f[10], 'spd', f[11], 'hdg', f[12],
    'st', st, 'mode', mode, 'caps', caps)
end
redis.call('ZADD', base .. 'seen', f[6], id)
if cur[1] then return 1 end
return 2
