/**
 * Table versions and transactions' write sets: which version keys a read checks and which
 * keys a write bumps.
 */
package io.sqlcache.invalidate;
