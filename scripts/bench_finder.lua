-- wrk script for scripts/bench_finder.py: every request is a random line of a file of paths.
--
--   wrk -t2 -c16 -d10s --latency -s scripts/bench_finder.lua URL -- PATHS_FILE SEED
--
-- PATHS_FILE holds one request path per line (/api/v1/stations/nearest?lon=...&lat=...).
-- Each wrk thread draws from its own random stream, seeded from SEED and its number,
-- so two runs with the same seed send the same requests.

local threads_started = 0

function setup(thread)
  threads_started = threads_started + 1
  thread:set("thread_number", threads_started)
end

function init(args)
  requests = {}
  for path in io.lines(args[1]) do
    requests[#requests + 1] = wrk.format("GET", path)
  end
  math.randomseed(tonumber(args[2]) * 1000 + thread_number)
end

function request()
  return requests[math.random(#requests)]
end
