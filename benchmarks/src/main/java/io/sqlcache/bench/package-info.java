/**
 * JMH benchmarks of the caching driver against the plain driver, a hand-written Redis
 * cache-aside and the floor (one raw Redis GET plus decoding). Run through {@code benchmarks/run.sh};
 * never deployed, never run by {@code mvn verify}.
 */
package io.sqlcache.bench;
