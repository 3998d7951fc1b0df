package io.sqlcache.spring;

import java.util.List;
import java.util.Optional;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The application's service layer: reads in read-only transactions, writes in read-write ones,
 * as Spring applications are usually written. Each call is one transaction on one pooled connection.
 */
@Service
public class OwnerService {

    private final OwnerRepository owners;

    public OwnerService(OwnerRepository owners) {
        this.owners = owners;
    }

    /** The name of owner {@code id}, if there is one. */
    @Transactional(readOnly = true)
    public Optional<String> nameOf(long id) {
        return owners.findById(id).map(Owner::getName);
    }

    /** Every owner's name, by id. */
    @Transactional(readOnly = true)
    public List<String> allNames() {
        return owners.findAll(Sort.by("id")).stream().map(Owner::getName).toList();
    }

    /** The ids of the owners named {@code name}. */
    @Transactional(readOnly = true)
    public List<Long> idsNamed(String name) {
        return owners.findByNameOrderById(name).stream().map(Owner::getId).toList();
    }

    /** Renames owner {@code id}: a read of the entity, then an UPDATE flushed at commit. */
    @Transactional
    public void rename(long id, String name) {
        owners.findById(id).orElseThrow().setName(name);
    }

    /** Adds an owner and returns its id. */
    @Transactional
    public long add(String name) {
        return owners.save(new Owner(name)).getId();
    }
}
