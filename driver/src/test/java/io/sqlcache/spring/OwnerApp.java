package io.sqlcache.spring;

import org.hibernate.boot.model.naming.CamelCaseToUnderscoresNamingStrategy;
import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.boot.model.naming.PhysicalNamingStrategy;
import org.hibernate.engine.jdbc.env.spi.JdbcEnvironment;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The application: Spring Boot's auto-configuration of a HikariCP pool, Hibernate and Spring Data
 * JPA repositories, nothing configured by hand but the table name. The test supplies the
 * datasource properties and {@value #TABLE_PROPERTY}, the table {@link Owner} is stored in.
 */
@SpringBootApplication
public class OwnerApp {

    /** The table name in the mapping, replaced by the test's own table. */
    static final String LOGICAL_TABLE = "owner";

    /** The property naming the physical table of {@link Owner}. */
    static final String TABLE_PROPERTY = "sqlcache-it.owner-table";

    /** Spring Boot's default naming, but {@link Owner}'s table is the test's own: tests run side by side. */
    @Bean
    PhysicalNamingStrategy ownerTableNaming(@Value("${" + TABLE_PROPERTY + "}") String table) {
        return new CamelCaseToUnderscoresNamingStrategy() {
            @Override
            public Identifier toPhysicalTableName(Identifier logical, JdbcEnvironment env) {
                return LOGICAL_TABLE.equals(logical.getText()) ? Identifier.toIdentifier(table)
                        : super.toPhysicalTableName(logical, env);
            }
        };
    }
}
