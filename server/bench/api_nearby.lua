-- wrk script: /api/nearby at random points of metropolitan France (fixed
-- seed, so every run asks the same questions), k=10, point layers.
math.randomseed(42)
local paths = {}
for i = 1, 4096 do
  local lat = 42.5 + math.random() * 8.5
  local lon = -4.5 + math.random() * 12.5
  paths[i] = string.format("/api/nearby?lat=%.5f&lon=%.5f&k=10", lat, lon)
end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
local bad = 0
response = function(status)
  if status ~= 200 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non-200 responses (last thread): %d\n", bad))
end
