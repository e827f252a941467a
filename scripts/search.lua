-- wrk script for docs/BENCHMARKS.md: wrk -t2 -c16 -d10s --latency -s scripts/search.lua http://127.0.0.1:PORT
-- Rotates through reader-style searches (words, phrases, exclusions, filters, date order).
local queries = {
  "q=budget", "q=football+manager", "q=%22interest+rates%22", "q=film+-oscar", "q=election&section=politics",
  "q=mobile+phone&sort=date", "q=chelsea", "q=economy+growth", "q=music+award", "q=broadband",
  "q=tony+blair", "q=oil+prices", "q=champions+league&sort=date", "q=games+console", "q=dollar",
  "q=tax&section=business", "q=album", "q=rugby+wales", "q=spam+email", "q=chancelor",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/search?" .. queries[(i % #queries) + 1] .. "&limit=10")
end
