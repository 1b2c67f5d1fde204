-- search: the responders of one shard that may be among the k nearest, scanning H3 rings
-- outwards and stopping as soon as the next ring cannot hold anyone closer (see geo.py).
-- KEYS: 1 seen zset of the shard (declares the slot; cell hashes share its hash tag)
-- ARGV: 1 base, 2 capability code ('*' = anyone), 3 lat, 4 lon, 5 k, 6 radius (m),
--       7 cutoff (fix_ts >= cutoff is fresh), 8 wanted status codes, 9 reach (m): no one
--       farther is wanted (radius, or the k-th distance already known), 10 eps (m),
--       11 'f' when the rings are index cells, 'c' when they are coarse cells (index
--       resolution - 2) whose occupied index cells are read from the occupancy sets,
--       12 cell radius (m): no point of a cell (or what is filed under it) is farther from the
--       cell's centre, 13 per ring "<lower bound of every later ring (m)> <cells in this
--       shard>" pairs, space-separated, 14 the cells concatenated ring by ring (every H3 id is
--       15 characters), 15 their centres as packed little-endian doubles (lat, lon).
--       A cell whose centre is farther than reach + radius is skipped unread.
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
-- the k smallest distances so far, ascending: once there are k, `limit` follows the k-th, so
-- the cheap latitude test (great-circle >= R * |dlat|) rejects most entries before haversine
local best, nbest = {}, 0
local function scan(key)
  local h = redis.call('HVALS', key)
  for x = 1, #h do
    local v = h[x]
    local lat, lon, fix = unpack('<ddd', v)
    local phi = lat * rad
    local dphi = phi - phi0
    if (dphi < 0 and -dphi or dphi) * R <= limit and fix >= cutoff
        and find(mask, sub(v, 25, 25), 1, true) then
      local s_lat = sin(dphi / 2)
      local s_lon = sin((lon - lon0) * rad / 2)
      local a = s_lat * s_lat + cos0 * cos(phi) * s_lon * s_lon
      local d = 2 * R * asin(min(1, sqrt(a)))
      if d <= limit then
        n = n + 1
        found[n] = {d, v}
        if nbest < k or d < best[k] then
          local j = (nbest < k) and nbest + 1 or k
          while j > 1 and best[j - 1] > d do best[j] = best[j - 1]; j = j - 1 end
          best[j] = d
          if nbest < k then nbest = nbest + 1 end
          if nbest == k and best[k] + eps < limit then limit = best[k] + eps end
        end
      end
    end
  end
end
local coarse = ARGV[11] == 'c'
local cell_radius = tonumber(ARGV[12])
local cells, centres = ARGV[14], ARGV[15]
local j = 0
for bound, count in string.gmatch(ARGV[13], '(%S+) (%S+)') do
  for _ = 1, tonumber(count) do
    local cell = sub(cells, 15 * j + 1, 15 * j + 15)
    local c_lat, c_lon = unpack('<dd', centres, 16 * j + 1)
    j = j + 1
    local c_phi = c_lat * rad
    local s_lat = sin((c_phi - phi0) / 2)
    local s_lon = sin((c_lon - lon0) * rad / 2)
    local a = s_lat * s_lat + cos0 * cos(c_phi) * s_lon * s_lon
    if 2 * R * asin(min(1, sqrt(a))) - cell_radius > limit then
      -- nothing in this cell can be within reach: skip it unread
    elseif coarse then
      for _, member in ipairs(redis.call('SMEMBERS', base .. 'o:' .. cell .. ':' .. cap)) do
        scan(base .. 'c:' .. member .. ':' .. cap)
      end
    else
      scan(base .. 'c:' .. cell .. ':' .. cap)
    end
  end
  if tonumber(bound) > limit then break end
end
table.sort(found, function(p, q) return p[1] < q[1] end)
local out, m = {}, 0
for x = 1, n do
  local f = found[x]
  if f[1] > limit then break end
  local lat, lon, fix = unpack('<ddd', f[2])
  local v = f[2]
  local caps_end = 27 + string.byte(v, 27)
  out[m + 1] = sub(v, caps_end + 1)
  out[m + 2] = fmt('%.17g %.17g %.17g ', lat, lon, fix) .. sub(v, 25, 26) .. sub(v, 28, caps_end)
  m = m + 2
end
return out
