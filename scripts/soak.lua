-- wrk script for scripts/soak.sh: a reader mix over the paths in $SOAK_PATHS (one per line:
-- article pages, the home page, section pages and searches, shuffled by soak.sh).
local paths = {}
for line in io.lines(os.getenv("SOAK_PATHS") or "/tmp/soak-paths.txt") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i])
end
