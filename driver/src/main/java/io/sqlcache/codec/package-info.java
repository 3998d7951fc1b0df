/**
 * Cache entries to bytes and back, with Kryo (registration required, format header checked):
 * a forged or corrupt entry decodes to an exception, never to an object of another class.
 */
package io.sqlcache.codec;
