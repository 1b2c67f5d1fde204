-- upsert: store position reports of one shard, atomically, in order.
-- KEYS: responder hashes, one per report (all in one shard: they share a hash tag)
-- ARGV: one space-separated line per report: base, id, lat, lon, ts (device), fix_ts, cell,
--       cell at res 8, cell at res 7, accuracy, speed, heading, may_create ('1'/'0'),
--       status code, mode code, capability codes (these three only used when creating),
--       coarse cell (index resolution - 2, for the occupancy sets); '-' stands for empty.
-- Returns one code per report: 0 ignored (stored ts >= ts), 1 updated, 2 created,
--        -1 no entry in this shard and may_create = '0': the caller consults the pointer.
-- Many reports per call: the per-call overhead (client packing, script start) was most of
-- the cost of one report.
local function upsert(key, line)
  local f = {}
  for word in string.gmatch(line, '%S+') do
    if word == '-' then word = '' end
    f[#f + 1] = word
  end
  local base, id = f[1], f[2]
  local ts = tonumber(f[5])
  local cell, c8, c7, coarse = f[7], f[8], f[9], f[17]
  local cur = redis.call('HMGET', key, 'ts', 'cell', 'c8', 'c7', 'st', 'mode', 'caps', 'co', 'zs')
  local st, mode, caps
  if cur[1] then
    if tonumber(cur[1]) >= ts then return 0 end
    st, mode, caps = cur[5], cur[6], cur[7]
  else
    if f[13] ~= '1' then return -1 end
    st, mode, caps = f[14], f[15], f[16]
  end
  local packed = pack(tonumber(f[3]), tonumber(f[4]), tonumber(f[6]), st, mode, caps, id)
  if cur[1] and cur[2] ~= cell then unplace(base, id, cur[2], cur[8], caps) end
  place(base, id, cell, coarse, caps, packed)
  if not cur[1] then
    count(base, c8, st, caps, 1)
    count(base, c7, st, caps, 1)
  else
    if cur[3] ~= c8 then count(base, cur[3], st, caps, -1); count(base, c8, st, caps, 1) end
    if cur[4] ~= c7 then count(base, cur[4], st, caps, -1); count(base, c7, st, caps, 1) end
  end
  local fix = tonumber(f[6])
  local h = {'ts', f[5], 'fix', f[6], 'lat', f[3], 'lon', f[4], 'acc', f[10], 'spd', f[11], 'hdg', f[12]}
  if not cur[1] then
    for _, v in ipairs({'st', st, 'mode', mode, 'caps', caps}) do h[#h + 1] = v end
  end
  if cur[2] ~= cell then
    for _, v in ipairs({'cell', cell, 'c8', c8, 'c7', c7, 'co', coarse}) do h[#h + 1] = v end
  end
  -- the sweep index may lag the fix by up to SEEN_LAG seconds (sweep.lua re-checks the entry
  -- before removing): saves a ZADD on most reports, which come every few seconds
  if not cur[9] or tonumber(cur[9]) < fix - 10 then
    redis.call('ZADD', base .. 'seen', fix, id)
    h[#h + 1] = 'zs'
    h[#h + 1] = f[6]
  end
  redis.call('HSET', key, unpack(h))
  if cur[1] then return 1 end
  return 2
end

local out = {}
for i = 1, #KEYS do out[i] = upsert(KEYS[i], ARGV[i]) end
return out
