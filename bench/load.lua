-- Closed-loop load for `wrk` (bench/load.ts): every connection sends its next request as soon as the
-- previous answer has arrived. The requests come from a file, one per line: the Authorization header,
-- a tab, the JSON body. They are sent in turn; a body holding @@KEY@@ gets a key unique to the request
-- there (idempotency keys of mutations). An answer that is not HTTP 200, or whose body carries
-- GraphQL `errors`, is a failure: refusals by limits count, partial data counts.
-- Arguments after `--`: the requests file, then a tag unique to this wrk run.

local requests = {}
local position = 0
local keyed = 0
local threads = {}
failures = 0
sample = ""

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  tag = args[2] or "run"
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local tab = line:find("\t", 1, true)
    if tab then
      local headers = { ["Content-Type"] = "application/json", ["Authorization"] = line:sub(1, tab - 1) }
      local body = line:sub(tab + 1)
      if body:find("@@KEY@@", 1, true) then
        table.insert(requests, { headers = headers, body = body })
      else
        table.insert(requests, wrk.format("POST", nil, headers, body))
      end
    end
  end
  file:close()
  -- Threads start at different places so that they do not send the same request at once.
  position = ((thread_number or 1) - 1) * 7 % #requests
end

function request()
  position = position % #requests + 1
  local r = requests[position]
  if type(r) == "string" then
    return r
  end
  keyed = keyed + 1
  local key = string.format("%s-%d-%d", tag, thread_number or 1, keyed)
  return wrk.format("POST", nil, r.headers, (r.body:gsub("@@KEY@@", key)))
end

function response(status, headers, body)
  if status ~= 200 or body:find('"errors"', 1, true) then
    failures = failures + 1
    if sample == "" then
      sample = status .. " " .. body:sub(1, 400)
    end
  end
end

local function escape(s)
  return (s:gsub('[%c"\\]', function(c)
    if c == '"' then return '\\"' end
    if c == "\\" then return "\\\\" end
    return string.format("\\u%04x", c:byte())
  end))
end

function done(summary, latency, _)
  local failed = 0
  local samples = {}
  for _, thread in ipairs(threads) do
    failed = failed + (thread:get("failures") or 0)
    local s = thread:get("sample")
    if s and s ~= "" then
      table.insert(samples, '"' .. escape(s) .. '"')
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_WRK {"requests":%d,"durationUs":%d,"bytes":%d,"failures":%d,"socketErrors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},'
      .. '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f},"samples":[%s]}\n',
    summary.requests, summary.duration, summary.bytes, failed, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean,
    table.concat(samples, ",")))
end
