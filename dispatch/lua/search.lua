-- search: the responders of one shard that may be among the k nearest, scanning H3 rings
-- outwards and stopping as soon as the next ring cannot hold anyone closer (see geo.py).
-- KEYS: 1 seen zset of the shard (declares the slot; cell hashes share its hash tag)
-- ARGV: 1 base, 2 capability code ('*' = anyone), 3 lat, 4 lon, 5 k, 6 radius (m),
--       7 cutoff (fix_ts >= cutoff is fresh), 8 wanted status codes, 9 reach (m): no one
--       farther is wanted (radius, or the k-th distance already known), 10 eps (m),
--       then per ring: lower bound of every later ring (m), cell count n, n cells.
-- Returns id1, "lat lon fix_ts <status><mode><caps>", id2, ... for every fresh responder in a
-- wanted status within reach + eps. The slack eps lets the caller make the exact final cut
-- with its own distance function, so a last-bit difference in sin/cos cannot drop anyone.
local base, cap = ARGV[1], ARGV[2]
local R = 6371007.180918475
local rad = math.pi / 180
local sin, cos, asin, sqrt, min = math.sin, math.cos, math.asin, math.sqrt, math.min
local unpack, find, sub, fmt = struct.unpack, string.find, string.sub, string.format
local lat0, lon0 = tonumber(ARGV[3]), tonumber(ARGV[4])
local phi0 = lat0 * rad
local cos0 = cos(phi0)
local k = tonumber(ARGV[5])
local cutoff, mask = tonumber(ARGV[7]), ARGV[8]
local eps = tonumber(ARGV[10])
local limit = min(tonumber(ARGV[6]), tonumber(ARGV[9])) + eps
local found, n = {}, 0
local nearer = function(p, q) return p[1] < q[1] end
local i = 11
while i <= #ARGV do
  local bound, cells = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  i = i + 2
  for j = i, i + cells - 1 do
    local h = redis.call('HGETALL', base .. 'c:' .. ARGV[j] .. ':' .. cap)
    for x = 1, #h, 2 do
      local v = h[x + 1]
      local lat, lon, fix = unpack('<ddd', v)
      if fix >= cutoff and find(mask, sub(v, 25, 25), 1, true) then
        local phi = lat * rad
        local s_lat = sin((phi - phi0) / 2)
        local s_lon = sin((lon - lon0) * rad / 2)
        local a = s_lat * s_lat + cos0 * cos(phi) * s_lon * s_lon
        local d = 2 * R * asin(min(1, sqrt(a)))
        if d <= limit then
          n = n + 1
          found[n] = {d, h[x], v}
        end
      end
    end
  end
  i = i + cells
  if n >= k then
    table.sort(found, nearer)
    if found[k][1] + eps < limit then limit = found[k][1] + eps end
    local kept, m = {}, 0
    for _, f in ipairs(found) do
      if f[1] <= limit then m = m + 1; kept[m] = f end
    end
    found, n = kept, m
  end
  if bound > limit then break end
end
local out = {}
for x = 1, n do
  local v = found[x][3]
  local lat, lon, fix = unpack('<ddd', v)
  out[2 * x - 1] = found[x][2]
  out[2 * x] = fmt('%.17g %.17g %.17g ', lat, lon, fix) .. sub(v, 25)
end
return out
