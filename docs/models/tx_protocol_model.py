#!/usr/bin/env python3
"""A randomized interleaving model of one way to serve cached reads inside REPEATABLE READ
transactions without mixing two snapshots (the transactions issue's design direction).

Writers: mark their tables in flight (new version token, write sequence G += 1), commit,
then bump (new token, G += 1). Fillers (autocommit readers): read a table's version, G and
in-flight state in one atomic step, read the table, store an entry only if nothing was in
flight. Transactions: read G before their snapshot, take the snapshot, then serve an entry
only if entry.g <= that G, the table's version still equals the entry's, and nothing is in
flight now. Every value a transaction gets must equal its snapshot's.

sqlcache adds one rule (docs/guarantees.md, "Transactions"): a transaction's miss stores what
the server returned (its snapshot's rows) under the version and G its lookup read, only if G
still equals the G read before the snapshot and nothing was in flight.

Run it: python3 docs/models/tx_protocol_model.py. It also runs the protocol without the G check,
without the marks, and with transactions' misses stored without their G check, to show that each
part is needed. Not modelled: lease expiry of a mark
left by a dead writer, multi-table entries, Redis outages. Change it when the protocol changes.
"""
import random
def run(seed, use_marks=True, use_g=True, tx_store_check=True, steps=400):
    r = random.Random(seed)
    T = ['A','B']
    state = {t:0 for t in T}          # committed content
    ver = {t:0 for t in T}; tok = [1]
    infl = {t:set() for t in T}
    G = [0]
    entries = {}
    def newtok():
        tok[0]+=1; return tok[0]
    procs = []
    # writers
    def writer(wid):
        W = r.sample(T, r.choice([1,2]))
        if use_marks:
            for t in W: infl[t].add(wid); ver[t]=newtok()
            G[0]+=1
            yield
        for t in W: state[t]+=1      # atomic commit
        yield
        for t in W:
            infl[t].discard(wid); ver[t]=newtok()
        G[0]+=1
        yield
    def filler():
        t = r.choice(T)
        v = ver[t]; g = G[0]; busy = bool(infl[t])
        yield
        content = state[t]
        yield
        if not busy:
            entries[t] = (v, g, content)
        yield
    viol = []
    def reader():
        gpre = G[0]
        yield
        snap = dict(state)
        yield
        order = r.sample(T, 2)
        for t in order:
            e = entries.get(t)
            v, g, busy = ver[t], G[0], bool(infl[t])   # the lookup: one atomic read
            if r.random() < 0.7 and e and (not use_g or e[1] <= gpre) and v==e[0] and not busy:
                val = e[2]
            else:
                val = snap[t]
                yield
                # a miss of the transaction stores its snapshot's rows under what its lookup read
                if not busy and (not tx_store_check or g == gpre):
                    entries[t] = (v, g, val)
            if val != snap[t]:
                viol.append((t, val, snap[t]))
            yield
    gens = []
    wid = 0
    for _ in range(steps):
        if len(gens) < 6:
            k = r.random()
            if k < 0.25: wid+=1; gens.append(writer(wid))
            elif k < 0.6: gens.append(filler())
            else: gens.append(reader())
        g = r.choice(gens)
        try: next(g)
        except StopIteration: gens.remove(g)
    return viol
for name, kw in [("full protocol", {}), ("no write sequence check", {"use_g": False}),
                 ("no in-flight marks", {"use_marks": False}),
                 ("transactions store misses without the G check", {"tx_store_check": False})]:
    total = 0
    for s in range(3000):
        total += len(run(s, **kw))
    print(f"{name}: {total} reads inconsistent with the snapshot over 3000 random runs")
