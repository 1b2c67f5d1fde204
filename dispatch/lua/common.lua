-- Shared helpers, prepended to every script of the position index (see dispatch/scripts.py).
-- All keys are built from `base` = "<prefix>:{<shard>}:", so they share the hash tag of the
-- KEYS the caller declared and live in one Redis Cluster slot.

local function cell_key(base, cell, cap)
  return base .. 'c:' .. cell .. ':' .. cap
end

-- packed member value read by search.lua: 3 little-endian doubles, then status, mode, caps
local function pack(lat, lon, fix, st, mode, caps)
  return struct.pack('<ddd', lat, lon, fix) .. st .. mode .. caps
end

-- put the responder in the cell hash of every capability it has, and in the '*' hash
local function place(base, id, cell, caps, packed)
  redis.call('HSET', cell_key(base, cell, '*'), id, packed)
  for i = 1, #caps do
    redis.call('HSET', cell_key(base, cell, string.sub(caps, i, i)), id, packed)
  end
end

local function unplace(base, id, cell, caps)
  redis.call('HDEL', cell_key(base, cell, '*'), id)
  for i = 1, #caps do
    redis.call('HDEL', cell_key(base, cell, string.sub(caps, i, i)), id)
  end
end

-- live counters "<cell>|<status>|<cap>"; a field that reaches zero is deleted to stay small
local function count(base, cell, st, caps, by)
  local agg = base .. 'agg'
  local head = cell .. '|' .. st .. '|'
  local fields = {head .. '*'}
  for i = 1, #caps do fields[#fields + 1] = head .. string.sub(caps, i, i) end
  for _, field in ipairs(fields) do
    if redis.call('HINCRBY', agg, field, by) <= 0 then redis.call('HDEL', agg, field) end
  end
end

-- remove every trace of the responder from this shard; 1 if it was here
local function unindex(base, id)
  local rkey = base .. 'r:' .. id
  local h = redis.call('HMGET', rkey, 'cell', 'c8', 'c7', 'st', 'caps')
  redis.call('ZREM', base .. 'seen', id)
  if not h[1] then return 0 end
  unplace(base, id, h[1], h[5])
  count(base, h[2], h[4], h[5], -1)
  count(base, h[3], h[4], h[5], -1)
  redis.call('DEL', rkey)
  return 1
end
