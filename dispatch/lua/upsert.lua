-- upsert: store position reports of one shard, atomically, in order.
-- KEYS: responder hashes, one per report (all in one shard: they share a hash tag)
-- ARGV: one line per report (dispatch/codec.py UpsertArgs): 56 bytes of little-endian doubles
--       lat, lon, ts (device), fix_ts, accuracy, speed, heading (NaN = absent); then may_create
--       ('1'/'0') and the space-separated words base, id, cell, cell at res 8, cell at res 7,
--       coarse cell (index resolution - 2, for the occupancy sets), status code, mode code,
--       capability codes ('-' = none; these three only used when creating).
-- The responder hash keeps the 56 bytes as 'pos', as they came: no number is ever formatted.
-- Returns one code per report: 0 ignored (stored ts >= ts), 1 updated, 2 created,
--        -1 no entry in this shard and may_create = '0': the caller consults the pointer.
-- Many reports per call: the per-call overhead (client packing, script start) was most of
-- the cost of one report.
local match, sunpack, sub = string.match, struct.unpack, string.sub
local WORDS = '^([01])' .. string.rep(' (%S+)', 9) .. '$'

local function upsert(key, line)
  local lat, lon, ts, fix = sunpack('<dddd', line)
  local may, base, id, cell, c8, c7, coarse, new_st, new_mode, new_caps = match(line, WORDS, 57)
  if not may then error('upsert: malformed report line for ' .. key) end
  local cur = redis.call('HMGET', key, 'pos', 'cell', 'c8', 'c7', 'st', 'mode', 'caps', 'co', 'zs')
  if not cur[1] and cur[2] then
    -- an entry of the layout before 'pos' (its numbers as text fields): drop it and file this
    -- report afresh, so an upgrade needs no step of its own
    if may ~= '1' then return -1 end
    unindex(base, id)
    cur = {}
  end
  local st, mode, caps
  if cur[1] then
    local _, _, stored = sunpack('<ddd', cur[1])
    if stored >= ts then return 0 end
    st, mode, caps = cur[5], cur[6], cur[7]
  else
    if may ~= '1' then return -1 end
    st, mode = new_st, new_mode
    caps = new_caps == '-' and '' or new_caps
  end
  local packed = pack(lat, lon, fix, st, mode, caps, id)
  if cur[1] and cur[2] ~= cell then unplace(base, id, cur[2], cur[8], caps) end
  place(base, id, cell, coarse, caps, packed)
  announce_put(base, cell, packed)
  if not cur[1] then
    count(base, c8, st, caps, 1)
    count(base, c7, st, caps, 1)
  else
    if cur[3] ~= c8 then count(base, cur[3], st, caps, -1); count(base, c8, st, caps, 1) end
    if cur[4] ~= c7 then count(base, cur[4], st, caps, -1); count(base, c7, st, caps, 1) end
  end
  local h = {'pos', sub(line, 1, 56)}
  if not cur[1] then
    h[3], h[4], h[5], h[6], h[7], h[8] = 'st', st, 'mode', mode, 'caps', caps
  end
  if cur[2] ~= cell then
    for _, v in ipairs({'cell', cell, 'c8', c8, 'c7', c7, 'co', coarse}) do h[#h + 1] = v end
  end
  -- the sweep index may lag the fix by up to SEEN_LAG seconds (sweep.lua re-checks the entry
  -- before removing): saves a ZADD on most reports, which come every few seconds
  if not cur[9] or tonumber(cur[9]) < fix - 10 then
    redis.call('ZADD', base .. 'seen', fix, id)
    h[#h + 1] = 'zs'
    h[#h + 1] = fix
  end
  redis.call('HSET', key, unpack(h))
  if cur[1] then return 1 end
  return 2
end

local out = {}
for i = 1, #KEYS do out[i] = upsert(KEYS[i], ARGV[i]) end
return out
