-- Append one event to a stream under the next sequence number of that stream.
-- KEYS[1] the stream, KEYS[2] its meta hash (same hash tag, so one slot on Redis Cluster)
-- ARGV[1] approximate max length, ARGV[2] an epoch to adopt if the stream has none yet,
-- ARGV[3..] the entry's field/value pairs.
-- Returns {epoch, seq}. The epoch changes only when the meta hash is lost (Redis restarted
-- empty), which tells resuming clients that old sequence numbers mean nothing any more.
local epoch = redis.call('HGET', KEYS[2], 'epoch')
if not epoch then
  epoch = ARGV[2]
  redis.call('HSET', KEYS[2], 'epoch', epoch)
end
local seq = redis.call('HINCRBY', KEYS[2], 'last', 1)
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], seq .. '-0', unpack(ARGV, 3))
return {epoch, seq}
