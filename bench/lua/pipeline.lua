-- Pipelined load for wrk: every write carries DEPTH requests for PATH, each with a Host header.
-- Usage: wrk -s lua/pipeline.lua URL -- DEPTH PATH   (defaults: 24 and /)
-- wrk counts the requests in the string returned by request() (it parses it once at start-up) and
-- writes the next batch only after all of their responses arrived, so "requests" in its report are
-- responses parsed.
local depth = 24
local path = "/"

init = function(args)
  if args[1] ~= nil then depth = tonumber(args[1]) end
  if args[2] ~= nil then path = args[2] end
  local one = "GET " .. path .. " HTTP/1.1\r\nHost: localhost\r\n\r\n"
  batch = string.rep(one, depth)
end

request = function()
  return batch
end
