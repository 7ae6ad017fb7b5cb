-- wrk script: /api/nearby at random points of metropolitan France (fixed
-- seed, so every run asks the same questions), k=10, point layers.
-- The requests are built once; there is no response(): wrk would then hand
-- every answer's headers and body to Lua, which costs it more CPU than
-- the server spends on /healthz (and wrk shares the cores with the
-- server). wrk counts the answers >= 400 itself; done() prints them.
-- They are built in init(), when wrk has set the Host header (HTTP/1.1
-- servers refuse a request without one).
local requests = {}
function init(args)
  math.randomseed(42)
  for i = 1, 4096 do
    local lat = 42.5 + math.random() * 8.5
    local lon = -4.5 + math.random() * 12.5
    requests[i] = wrk.format("GET", string.format("/api/nearby?lat=%.5f&lon=%.5f&k=10", lat, lon))
  end
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
