-- Shared helpers, prepended to every script of the position index (see dispatch/scripts.py).
-- All keys are built from `base` = "<prefix>:{<shard>}:", so they share the hash tag of the
-- KEYS the caller declared and live in one Redis Cluster slot.

local function cell_key(base, cell, cap)
  return base .. 'c:' .. cell .. ':' .. cap
end

-- packed member value read by search.lua: 3 little-endian doubles (lat, lon, fix_ts), status,
-- mode, the number of capability codes, the codes, then the responder id (so a search can read
-- values only, with HVALS, and make half the Lua strings)
local function pack(lat, lon, fix, st, mode, caps, id)
  return struct.pack('<ddd', lat, lon, fix) .. st .. mode .. string.char(#caps) .. caps .. id
end

-- the capability codes a responder is filed under: '*' (everyone) and each of its own
local function codes(caps)
  local out = {'*'}
  for i = 1, #caps do out[i + 1] = string.sub(caps, i, i) end
  return out
end

-- occupancy set: the non-empty index cells of one coarse cell and capability, so a search
-- over a large radius walks coarse rings and visits only cells that hold someone
local function occupancy_key(base, coarse, cap)
  return base .. 'o:' .. coarse .. ':' .. cap
end

-- put the responder in the cell hash of every capability it has, and in the '*' hash
local function place(base, id, cell, coarse, caps, packed)
  for _, cap in ipairs(codes(caps)) do
    if redis.call('HSET', cell_key(base, cell, cap), id, packed) == 1 then
      redis.call('SADD', occupancy_key(base, coarse, cap), cell)
    end
  end
end

local function unplace(base, id, cell, coarse, caps)
  for _, cap in ipairs(codes(caps)) do
    local key = cell_key(base, cell, cap)
    if redis.call('HDEL', key, id) == 1 and redis.call('EXISTS', key) == 0 then
      redis.call('SREM', occupancy_key(base, coarse, cap), cell)
    end
  end
end

-- live counters "<cell>|<status>|<cap>"; a field that reaches zero is deleted to stay small
local function count(base, cell, st, caps, by)
  local agg = base .. 'agg'
  local head = cell .. '|' .. st .. '|'
  for _, cap in ipairs(codes(caps)) do
    if redis.call('HINCRBY', agg, head .. cap, by) <= 0 then redis.call('HDEL', agg, head .. cap) end
  end
end

-- the change feed of the in-process mirrors (dispatch/mirror.py): every put and removal of an
-- entry is published on one channel per prefix, in the order Redis applies them, so a mirror
-- that applies the messages in order holds exactly what the shards hold. Messages:
-- 'P' .. cell .. packed (the entry now filed under cell), 'D' .. cell .. id (gone from cell)
local function feed(base)
  return string.match(base, '^(.*):{') .. ':feed'
end

local function announce_put(base, cell, packed)
  redis.call('PUBLISH', feed(base), 'P' .. cell .. packed)
end

-- remove every trace of the responder from this shard; 1 if it was here
local function unindex(base, id)
  local rkey = base .. 'r:' .. id
  local h = redis.call('HMGET', rkey, 'cell', 'c8', 'c7', 'st', 'caps', 'co')
  redis.call('ZREM', base .. 'seen', id)
  if not h[1] then return 0 end
  unplace(base, id, h[1], h[6], h[5])
  count(base, h[2], h[4], h[5], -1)
  count(base, h[3], h[4], h[5], -1)
  redis.call('DEL', rkey)
  redis.call('PUBLISH', feed(base), 'D' .. h[1] .. id)
  return 1
end
