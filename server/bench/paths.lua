-- wrk script of the tile load benchmark (see README.md): replays a list of
-- tile paths ("z/x/y", one per line, written by ./extract) in a loop, with
-- Accept-Encoding: gzip, and counts the answers by status.
--
--   wrk -t2 -c64 -d10s --latency -s paths.lua URL -- LIST PREFIX [SUFFIX]
--
-- Request i is PREFIX .. line_i .. SUFFIX (SUFFIX defaults to ".mvt"), so
-- the same list serves every server: "/tiles/" for ours, "/NAME/" for
-- pmtiles serve, "/" for a static file tree. Each thread starts at its own
-- place in the list.
--
-- done() prints the status counts and one machine-readable line:
--   BENCH requests=… duration_s=… rps=… p50_us=… p90_us=… p99_us=… max_us=…
--         s200=… s204=… s3xx=… s404=… s4xx=… s5xx=… other=… sock_errors=… bad=…
-- 204 (empty tile) and 404 (zoom outside the archive, or no such file for a
-- static server) are expected answers. bad = 5xx + other 4xx + socket
-- errors (connect, read, write, timeout): it must be 0.

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

local requests = {}
local n = 0
local i = 0
-- Global: done() reads it from each thread with thread:get.
status = {}

function init(args)
   local list, prefix, suffix = args[1], args[2], args[3] or ".mvt"
   if list == nil or prefix == nil then
      error("usage: wrk ... -s paths.lua URL -- LIST PREFIX [SUFFIX]")
   end
   local headers = { ["Accept-Encoding"] = "gzip" }
   for line in io.lines(list) do
      if line ~= "" then
         n = n + 1
         requests[n] = wrk.format("GET", prefix .. line .. suffix, headers)
      end
   end
   if n == 0 then
      error("no path in " .. list)
   end
   -- Spread the threads over the list (golden ratio: no need to know how
   -- many threads there are).
   i = math.floor(((id - 1) * 0.6180339887 % 1) * n)
end

function request()
   i = i + 1
   if i > n then
      i = 1
   end
   return requests[i]
end

function response(code, headers, body)
   status[code] = (status[code] or 0) + 1
end

function done(summary, latency, _)
   local total = {}
   for _, t in ipairs(threads) do
      for code, k in pairs(t:get("status")) do
         total[code] = (total[code] or 0) + k
      end
   end
   local s200, s204, s3xx, s404, s4xx, s5xx, other = 0, 0, 0, 0, 0, 0, 0
   local codes = {}
   for code, k in pairs(total) do
      table.insert(codes, code)
      if code == 200 then s200 = s200 + k
      elseif code == 204 then s204 = s204 + k
      elseif code >= 200 and code < 300 then other = other + k
      elseif code >= 300 and code < 400 then s3xx = s3xx + k
      elseif code == 404 then s404 = s404 + k
      elseif code >= 400 and code < 500 then s4xx = s4xx + k
      elseif code >= 500 and code < 600 then s5xx = s5xx + k
      else other = other + k end
   end
   table.sort(codes)
   local parts = {}
   for _, code in ipairs(codes) do
      table.insert(parts, code .. ": " .. total[code])
   end
   local e = summary.errors
   local sock = e.connect + e.read + e.write + e.timeout
   io.write("status counts: ", table.concat(parts, ", "), "\n")
   io.write(string.format("socket errors: connect %d, read %d, write %d, timeout %d\n",
      e.connect, e.read, e.write, e.timeout))
   local bad = s5xx + s4xx + other + sock
   if bad > 0 then
      io.write(string.format("UNEXPECTED: %d 5xx, %d 4xx other than 404, %d other, %d socket errors\n",
         s5xx, s4xx, other, sock))
   end
   local secs = summary.duration / 1e6
   io.write(string.format(
      "BENCH requests=%d duration_s=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d bytes=%d " ..
      "s200=%d s204=%d s3xx=%d s404=%d s4xx=%d s5xx=%d other=%d sock_errors=%d bad=%d\n",
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      summary.bytes, s200, s204, s3xx, s404, s4xx, s5xx, other, sock, bad))
end
