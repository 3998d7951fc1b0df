#!/usr/bin/env sysbench
-- A report workload for sqlcache's load benchmark: a heavy report query (a join of sbtest1 and
-- sbtest2 with an aggregate) over a small set of fixed id ranges, so the same statements repeat
-- and a cache can answer them, mixed with point writes to sbtest1 at a fixed ratio
-- (reads_per_write report queries, then one write, per thread).
--
-- The report reads sbtest1 and the write updates sbtest1, so the numbers measure a cache under
-- writes. With per-table versions every write invalidated every cached report; with row-range
-- versions (README, "Row ranges") a write invalidates the reports whose range holds its id.
--
-- Needs the tables of oltp_common.lua (`sysbench oltp_read_only --tables=2 ... prepare`): at
-- least sbtest1 and sbtest2 with heavy_ranges * range_size rows each.
-- One event = one statement (so tps = qps).

sysbench.cmdline.options = {
   heavy_ranges = {"Distinct id ranges the report query uses", 4},
   range_size = {"Ids per range (rows joined per report query)", 5000},
   reads_per_write = {"Report queries per point write, per thread (0: no writes)", 9},
   table_size = {"Rows in sbtest1 (point writes pick an id in 1..table_size)", 100000},
   tables = {"Accepted for the same command line as oltp_*; only sbtest1 and sbtest2 are used", 2},
}

local HEAVY = "SELECT a.k % 100, COUNT(*), SUM(LENGTH(b.c)) FROM sbtest1 a JOIN sbtest2 b ON a.id = b.id"
   .. " WHERE a.id BETWEEN ? AND ? GROUP BY 1"
local WRITE = "UPDATE sbtest1 SET k = k + 1 WHERE id = ?"

function thread_init()
   drv = sysbench.sql.driver()
   con = drv:connect()
   heavy = con:prepare(HEAVY)
   lo = heavy:bind_create(sysbench.sql.type.INT)
   hi = heavy:bind_create(sysbench.sql.type.INT)
   heavy:bind_param(lo, hi)
   write = con:prepare(WRITE)
   wid = write:bind_create(sysbench.sql.type.INT)
   write:bind_param(wid)
   -- threads start at different points of the read/write cycle, so writes are spread evenly
   n = sysbench.tid
end

function thread_done()
   heavy:close()
   write:close()
   con:disconnect()
end

function event()
   n = n + 1
   local rpw = sysbench.opt.reads_per_write
   if rpw > 0 and n % (rpw + 1) == 0 then
      wid:set(sysbench.rand.uniform(1, sysbench.opt.table_size))
      write:execute()
   else
      local r = sysbench.rand.uniform(0, sysbench.opt.heavy_ranges - 1)
      local first = 1 + r * sysbench.opt.range_size
      lo:set(first)
      hi:set(first + sysbench.opt.range_size - 1)
      heavy:execute()
   end
end
