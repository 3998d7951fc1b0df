/**
 * The relay: one {@link io.sqlcache.proxy.relay.ClientConnection} per client (its channels, the
 * order of its commands, closing), with its backend connection on the same event loop.
 * {@code ConnectionPhase} relays the handshake, the TLS upgrade and authentication; in the
 * command phase each command is an {@code Exchange}, started by {@code CommandDispatcher} and
 * {@code StatementCommands}, answered from the cache by {@code CachedReads} or relayed by
 * {@code ExchangeRelay}, its writes bumped by {@code WriteFlow}. {@link
 * io.sqlcache.proxy.relay.Session} is what the proxy knows of the server session; the rules that
 * decide what is cached are {@link io.sqlcache.core.ReadPolicy}'s and
 * {@link io.sqlcache.core.WriteTarget}'s. All that belongs to one connection is confined to its
 * event loop; blocking work goes to the context's workers.
 */
package io.sqlcache.proxy.relay;
