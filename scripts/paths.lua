-- wrk script for the memory figure in docs/BENCHMARKS.md: requests each path listed in
-- /tmp/paths.txt in turn (one per line), e.g. 25,000 random article pages:
--   sqlite3 /tmp/bi/dateline.db "select slug from articles where status='published' order by random() limit 25000" \
--     | sed 's|^|/articles/|' > /tmp/paths.txt
--   wrk -t1 -c4 -d40s -s scripts/paths.lua http://127.0.0.1:18081
local paths = {}
for line in io.lines("/tmp/paths.txt") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i])
end
