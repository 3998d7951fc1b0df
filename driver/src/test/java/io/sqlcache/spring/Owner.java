package io.sqlcache.spring;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An owner, mapped as an application would; {@link OwnerApp} renames the table so tests never share it. */
@Entity
@Table(name = OwnerApp.LOGICAL_TABLE)
public class Owner {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    private String name;

    /** For JPA. */
    protected Owner() {
    }

    /** A new owner; the database assigns the id. */
    public Owner(String name) {
        this.name = name;
    }

    public Long getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }
}
