package io.sqlcache.spring;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

/** Spring Data's repository: {@code findById}, {@code findAll} and one derived query. */
public interface OwnerRepository extends JpaRepository<Owner, Long> {

    /** Owners with exactly this name, by id. */
    List<Owner> findByNameOrderById(String name);
}
