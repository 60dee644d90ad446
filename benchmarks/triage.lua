-- wrk script for POST /api/v1/triage, used by benchmarks/run.py.
-- The JSON body is built at run time from GET /api/v1/triage/questions and written to a
-- file; its path comes as the first argument after "--" on wrk's command line.

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function init(args)
   local path = args[1]
   if path == nil then
      error("usage: wrk -s triage.lua URL -- BODY_FILE")
   end
   local file = assert(io.open(path, "rb"))
   wrk.body = file:read("*a")
   file:close()
end
