/**
 * Counters of hits, misses, bypasses by reason, invalidations and store errors.
 */
package io.sqlcache.metrics;
