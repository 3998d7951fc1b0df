/**
 * The read and write paths, shared by the JDBC driver and the proxy: look up an entry and the
 * versions of the tables it read in one round trip, store a miss under the versions read before
 * the query ran, bump versions after a write. The one place that turns a store failure into
 * "go to the database, count it".
 */
package io.sqlcache.core;
