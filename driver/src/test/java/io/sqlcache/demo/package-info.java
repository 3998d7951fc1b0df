/** The runnable demo of the README's main job: the cache-aside example through the driver. */
package io.sqlcache.demo;
