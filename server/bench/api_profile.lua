-- wrk script: /api/sites/{id}/profile for every site in turn. The ids come
-- from SITE_IDS (space separated), which api.sh reads from the server.
local ids = {}
for id in string.gmatch(os.getenv("SITE_IDS") or "", "%S+") do
  ids[#ids + 1] = id
end
assert(#ids > 0, "SITE_IDS is empty")
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/sites/" .. ids[(n % #ids) + 1] .. "/profile")
end
local bad = 0
response = function(status)
  if status ~= 200 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non-200 responses (last thread): %d\n", bad))
end
