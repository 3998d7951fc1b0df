-- SysbenchIT's reader: after a load, prints what every point select of oltp_read_write reads,
-- with the same statement text sysbench sends with --db-ps-mode=disable, so the entries the
-- load cached are the ones read; then sum ranges and each table's totals.
sysbench.cmdline.options = {
   tables = {"tables", 1},
   table_size = {"rows per table", 100},
}

function event()
   local con = sysbench.sql.driver():connect()
   for t = 1, sysbench.opt.tables do
      for id = 1, sysbench.opt.table_size do
         print(string.format("%d %d %s", t, id, tostring(con:query_row(
               string.format("SELECT c FROM sbtest%u WHERE id=%d", t, id)))))
      end
      for from = 1, sysbench.opt.table_size, 50 do
         print(string.format("%d sum %d %s", t, from, tostring(con:query_row(
               string.format("SELECT SUM(k) FROM sbtest%u WHERE id BETWEEN %d AND %d", t, from, from + 49)))))
      end
      local count, sum = con:query_row(string.format("SELECT COUNT(*), SUM(k) FROM sbtest%u", t))
      print(string.format("%d total %s %s", t, tostring(count), tostring(sum)))
   end
   con:disconnect()
end
