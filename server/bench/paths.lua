-- wrk script of the tile load benchmark (see README.md): replays a list of
-- tile paths ("z/x/y", one per line, written by ./extract) in a loop, with
-- Accept-Encoding: gzip.
--
--   wrk -t2 -c64 -d10s --latency -s paths.lua URL -- list=FILE prefix=/tiles/ [suffix=.mvt] [maxzoom=12] [count=1] [rate=R conns=C]
--
-- Request i is prefix .. line_i .. suffix, so the same list serves every
-- server: prefix "/tiles/" for ours, "/NAME/" for pmtiles serve, "/" for a
-- static file tree. Each thread starts at its own place in the list.
--
-- Answers expected: 200 (tile), 204 (empty tile inside the archive's
-- zooms) and 404 for a zoom above maxzoom. Anything else (5xx, another 4xx)
-- and socket errors (connect, read, write, timeout) are reported as bad.
--
-- Two ways of checking the answers:
--   count=1  response() counts every status: exact counts per class, but
--            wrk then copies every body into Lua, which about doubles its
--            CPU per request. For checks and warm-ups.
--   default  no response(): wrk only counts answers >= 400. The script
--            knows how many requests it sent above maxzoom (the expected
--            404s), so an answer >= 400 beyond those (minus the requests
--            still in flight at the end) is bad. For timed runs.
--
-- rate=R conns=C (C = wrk's -c) paces the requests to about R per second in
-- all, with Poisson arrivals (each connection waits a random exponential
-- delay before its next request), to measure latency below saturation. The
-- latency wrk reports starts when a request is sent, not when it was due.
--
-- done() prints one machine-readable line:
--   BENCH requests=… duration_s=… rps=… p50_us=… p90_us=… p99_us=… max_us=… bytes=…
--         non2xx=… expected404_min=… expected404_max=… sock_errors=… bad=… [s200=… s204=… …]

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

local requests = {}
local above = {} -- above[i]: request i is past maxzoom (404 expected)
local n = 0
local i = 0
-- Globals: done() reads them from each thread with thread:get.
status = {}
issued = 0
issued_above = 0

local function count_response(code, headers, body)
   status[code] = (status[code] or 0) + 1
end

function init(args)
   local opt = { suffix = ".mvt", maxzoom = "12" }
   for _, a in ipairs(args) do
      local k, v = a:match("^(%w+)=(.*)$")
      if not k then
         error("argument " .. a .. ": want key=value (list, prefix, suffix, maxzoom, count, rate, conns)")
      end
      opt[k] = v
   end
   if opt.list == nil or opt.prefix == nil then
      error("usage: wrk ... -s paths.lua URL -- list=FILE prefix=/tiles/ [suffix=.mvt] [maxzoom=12] [count=1]")
   end
   local maxzoom = tonumber(opt.maxzoom)
   local headers = { ["Accept-Encoding"] = "gzip" }
   for line in io.lines(opt.list) do
      if line ~= "" then
         n = n + 1
         requests[n] = wrk.format("GET", opt.prefix .. line .. opt.suffix, headers)
         above[n] = tonumber(line:match("^(%d+)/")) > maxzoom
      end
   end
   if n == 0 then
      error("no path in " .. opt.list)
   end
   -- Spread the threads over the list (golden ratio: no need to know how
   -- many threads there are).
   i = math.floor(((id - 1) * 0.6180339887 % 1) * n)
   -- wrk asks whether response() exists after init(): define it only when
   -- counting, since it makes wrk hand every body to Lua.
   if opt.count == "1" then
      response = count_response
   end
   -- Likewise delay(), only when pacing.
   if opt.rate then
      local rate, conns = tonumber(opt.rate), tonumber(opt.conns)
      if not rate or rate <= 0 or not conns or conns <= 0 then
         error("rate=R needs conns=C, both positive")
      end
      local mean_ms = 1000 * conns / rate
      math.randomseed(id)
      delay = function()
         return -math.log(1 - math.random()) * mean_ms
      end
   end
end

function request()
   i = i + 1
   if i > n then
      i = 1
   end
   issued = issued + 1
   if above[i] then
      issued_above = issued_above + 1
   end
   return requests[i]
end

function done(summary, latency, _)
   local total, sent, sent_above, counting = {}, 0, 0, false
   for _, t in ipairs(threads) do
      sent = sent + t:get("issued")
      sent_above = sent_above + t:get("issued_above")
      for code, k in pairs(t:get("status")) do
         counting = true
         total[code] = (total[code] or 0) + k
      end
   end
   local e = summary.errors
   local sock = e.connect + e.read + e.write + e.timeout
   -- Requests sent but not answered when the run stopped (at most one per
   -- connection, plus the one wrk builds to check the script).
   local unanswered = math.max(sent - summary.requests, 0)
   local exp_min, exp_max = math.max(sent_above - unanswered, 0), sent_above
   local bad, counts = 0, ""
   if counting then
      local c = { s200 = 0, s204 = 0, s3xx = 0, s404 = 0, s4xx = 0, s5xx = 0, other = 0 }
      local codes, parts = {}, {}
      for code, k in pairs(total) do
         table.insert(codes, code)
         local class = code == 200 and "s200" or code == 204 and "s204" or code == 404 and "s404"
            or (code >= 300 and code < 400) and "s3xx" or (code >= 400 and code < 500) and "s4xx"
            or (code >= 500 and code < 600) and "s5xx" or "other"
         c[class] = c[class] + k
      end
      table.sort(codes)
      for _, code in ipairs(codes) do
         table.insert(parts, code .. ": " .. total[code])
      end
      io.write("status counts: ", table.concat(parts, ", "), "\n")
      -- Every 404 must be a request above maxzoom.
      local wrong404 = math.max(c.s404 - exp_max, 0)
      bad = c.s4xx + c.s5xx + c.other + wrong404
      counts = string.format(" s200=%d s204=%d s3xx=%d s404=%d s4xx=%d s5xx=%d other=%d",
         c.s200, c.s204, c.s3xx, c.s404, c.s4xx, c.s5xx, c.other)
   else
      bad = math.max(e.status - exp_max, 0)
   end
   if e.status < exp_min then
      -- Fewer 404s than requests above maxzoom: something answered them.
      bad = bad + (exp_min - e.status)
   end
   bad = bad + sock
   io.write(string.format("answers >= 400: %d (404 expected for %d to %d requests above maxzoom); socket errors: connect %d, read %d, write %d, timeout %d\n",
      e.status, exp_min, exp_max, e.connect, e.read, e.write, e.timeout))
   if bad > 0 then
      io.write("UNEXPECTED: ", bad, " bad answers or socket errors\n")
   end
   local secs = summary.duration / 1e6
   io.write(string.format(
      "BENCH requests=%d duration_s=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d bytes=%d " ..
      "non2xx=%d expected404_min=%d expected404_max=%d sock_errors=%d bad=%d%s\n",
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      summary.bytes, e.status, exp_min, exp_max, sock, bad, counts))
end
