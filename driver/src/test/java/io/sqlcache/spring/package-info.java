/**
 * A small Spring Boot application (Spring Data JPA, Hibernate, HikariCP, {@code @Transactional}
 * services) whose only change is its JDBC URL: the way most applications adopt the driver.
 */
package io.sqlcache.spring;
