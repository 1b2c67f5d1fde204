-- restate: change status, travel mode and/or capabilities of a live responder, atomically
-- moving it between capability hashes and live counters.
-- KEYS: 1 responder hash, 2 seen zset, 3 agg hash (one shard)
-- ARGV: 1 base, 2 id, 3 status code ('' = keep), 4 mode code ('' = keep),
--       5 '1' to replace capabilities / '0' to keep, 6 capability codes
-- Returns 1 changed, 0 the responder has no entry in this shard.
local base, id = ARGV[1], ARGV[2]
local cur = redis.call('HMGET', KEYS[1], 'cell', 'c8', 'c7', 'st', 'mode', 'caps', 'pos', 'co')
if not cur[1] then return 0 end
-- an entry of the layout before 'pos': dropped; the next report files it afresh
if not cur[7] then return unindex(base, id) * 0 end
local st, mode, caps = cur[4], cur[5], cur[6]
if ARGV[3] ~= '' then st = ARGV[3] end
if ARGV[4] ~= '' then mode = ARGV[4] end
if ARGV[5] == '1' then caps = ARGV[6] end
unplace(base, id, cur[1], cur[8], cur[6])
count(base, cur[2], cur[4], cur[6], -1)
count(base, cur[3], cur[4], cur[6], -1)
local lat, lon, _, fix = struct.unpack('<dddd', cur[7])
local packed = pack(lat, lon, fix, st, mode, caps, id)
place(base, id, cur[1], cur[8], caps, packed)
announce_put(base, cur[1], packed)
count(base, cur[2], st, caps, 1)
count(base, cur[3], st, caps, 1)
redis.call('HSET', KEYS[1], 'st', st, 'mode', mode, 'caps', caps)
return 1
