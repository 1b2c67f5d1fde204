-- snapshot: every entry of one shard as the feed's 'P' messages, and a marker on the feed.
-- KEYS: 1 seen zset (one shard)
-- ARGV: 1 base, 2 token
-- A mirror (dispatch/feed.py) subscribes first, then takes each shard's snapshot: the script is
-- atomic, so the marker 'S' .. token splits the feed exactly into changes the snapshot already
-- holds (before it) and changes to apply on top of it (after it).
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local h = redis.call('HMGET', ARGV[1] .. 'r:' .. id, 'pos', 'cell', 'st', 'mode', 'caps')
  if h[1] and h[2] then
    local lat, lon, _, fix = struct.unpack('<dddd', h[1])
    out[#out + 1] = 'P' .. h[2] .. pack(lat, lon, fix, h[3], h[4], h[5], id)
  end
end
redis.call('PUBLISH', feed(ARGV[1]), 'S' .. ARGV[2])
return out
