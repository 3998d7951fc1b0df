/** Test support: where the real services are, and helpers to start private ones. */
package io.sqlcache.testing;
