-- search: the responders that may be among the k nearest, scanning H3 rings outwards and stopping
-- as soon as the next ring cannot hold anyone closer (the bounds are proved in dispatch/geo.py).
-- KEYS: the `seen` zset "<base>seen" of every shard the plan numbers, in order (declares the
--       slots; the cell keys of shard s are built from KEYS[s] minus "seen", so they share its
--       hash tag)
-- ARGV: 1 the head (dispatch/index.py `search_head`): 7 little-endian doubles lat, lon, k,
--       radius (m), reach (m: nobody farther is wanted, e.g. the k-th distance another call
--       already found), cutoff (fix_ts >= cutoff is fresh), slack eps (m); then the capability
--       code ('*' = anyone) and the wanted status codes, one byte each
--       2 fine part, 3 coarse part of the plan (binary, layout in dispatch/plan.py; '' = absent)
-- The fine part lists index cells ring by ring; the coarse part coarse cells (index resolution
-- - 2), whose occupied index cells come from the occupancy sets. The coarse part is walked only
-- if the fine rings end without proving the answer, and skips the cells already read.
-- A cell whose centre is farther than the limit + its radius is skipped unread.
-- Returns the packed value of every fresh responder in a wanted status within the final limit
-- (k-th distance or radius, + eps). The slack lets the caller make the exact cut with its own
-- distance function, so a last-bit difference in sin/cos cannot drop anyone.
local sin, cos, asin, sqrt, min = math.sin, math.cos, math.asin, math.sqrt, math.min
local unpack, byte, sub = struct.unpack, string.byte, string.sub
local head = ARGV[1]
local lat0, lon0, k, radius, reach, cutoff, eps, tail = unpack('<ddddddd', head)
local cap = sub(head, tail, tail)
local wanted = {}  -- status byte -> true: one table look-up per entry
for i = tail + 1, #head do wanted[byte(head, i)] = true end
local R = 6371007.180918475
local R2 = 2 * R
local rad = math.pi / 180
local phi0, lam0 = lat0 * rad, lon0 * rad
local cos0 = cos(phi0)
local limit = min(radius, reach) + eps

-- haversine compares `a = sin^2(d / 2R)` instead of d: the same order, without asin and sqrt
local function half_chord(d)
  local x = d / R2
  if x >= math.pi / 2 then return 2 end  -- every a <= 1 passes
  local s = sin(x)
  return s * s
end
local a_limit = half_chord(limit)

local found_d, found_v, n = {}, {}, 0
-- the k smallest distances so far, ascending: once there are k, `limit` follows the k-th
local best, nbest = {}, 0
local read = {}
local bases = {}
for s = 1, #KEYS do bases[s] = sub(KEYS[s], 1, -5) end
local function scan(key)
  read[key] = true
  local h = redis.call('HVALS', key)
  for x = 1, #h do
    local v = h[x]
    local lat, lon, fix = unpack('<ddd', v)
    local phi = lat * rad
    local dphi = phi - phi0
    -- great-circle >= R * |dlat|: most entries end here once k are known
    if (dphi < 0 and -dphi or dphi) * R <= limit and fix >= cutoff and wanted[byte(v, 25)] then
      local s_lat = sin(dphi / 2)
      local s_lon = sin((lon * rad - lam0) / 2)
      local a = s_lat * s_lat + cos0 * cos(phi) * s_lon * s_lon
      if a <= a_limit then
        local d = R2 * asin(min(1, sqrt(a)))
        if d <= limit then
          n = n + 1
          found_d[n], found_v[n] = d, v
          if nbest < k or d < best[k] then
            local j = (nbest < k) and nbest + 1 or k
            while j > 1 and best[j - 1] > d do best[j] = best[j - 1]; j = j - 1 end
            best[j] = d
            if nbest < k then nbest = nbest + 1 end
            if nbest == k and best[k] + eps < limit then
              limit = best[k] + eps
              a_limit = half_chord(limit)
            end
          end
        end
      end
    end
  end
end

-- walk one part of the plan ring by ring; true when a ring's bound proved the answer
local function walk(part, coarse)
  if #part == 0 then return false end
  local radius_c, pos = unpack('<d', part)
  local size = #part
  local seen_limit, a_cell = -1, 0
  while pos <= size do
    local bound, count
    bound, count, pos = unpack('<dH', part, pos)
    for _ = 1, count do
      -- the cell id becomes a Lua string only if the cell is read (see the layout)
      local s = unpack('<H', part, pos)
      local phi, lam, cphi = unpack('<ddd', part, pos + 17)
      if limit ~= seen_limit then
        seen_limit, a_cell = limit, half_chord(limit + radius_c)
      end
      local s_lat = sin((phi - phi0) / 2)
      local s_lon = sin((lam - lam0) / 2)
      -- nothing in a cell is closer than its centre's distance - its radius: skip it unread
      if s_lat * s_lat + cos0 * cphi * s_lon * s_lon <= a_cell then
        local base, cell = bases[s], sub(part, pos + 2, pos + 16)
        if coarse then
          for _, member in ipairs(redis.call('SMEMBERS', base .. 'o:' .. cell .. ':' .. cap)) do
            local key = base .. 'c:' .. member .. ':' .. cap
            if not read[key] then scan(key) end
          end
        else
          scan(base .. 'c:' .. cell .. ':' .. cap)
        end
      end
      pos = pos + 41  -- shard:H id:c15 phi:d lam:d cos_phi:d
    end
    if bound > limit then return true end
  end
  return false
end

if not walk(ARGV[2], false) then walk(ARGV[3], true) end
local out, m = {}, 0
for x = 1, n do
  if found_d[x] <= limit then
    m = m + 1
    out[m] = found_v[x]
  end
end
return out
