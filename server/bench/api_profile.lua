-- wrk script: /api/sites/{id}/profile for every site in turn. The ids come
-- from SITE_IDS (space separated), which api.sh reads from the server.
-- As in api_nearby.lua, the requests are built once and wrk counts the
-- answers >= 400 itself (no response()).
-- They are built in init(), when wrk has set the Host header.
local requests = {}
function init(args)
  for id in string.gmatch(os.getenv("SITE_IDS") or "", "%S+") do
    requests[#requests + 1] = wrk.format("GET", "/api/sites/" .. id .. "/profile")
  end
  assert(#requests > 0, "SITE_IDS is empty")
end
local n = 0
request = function()
  n = n % #requests + 1
  return requests[n]
end
done = function(summary)
  io.write(string.format("answers >= 400: %d; socket errors: %d\n", summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
