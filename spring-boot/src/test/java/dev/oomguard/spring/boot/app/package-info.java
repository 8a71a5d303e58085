/** A Spring Boot application started for real by the starter's end-to-end tests. */
@NullMarked
package dev.oomguard.spring.boot.app;

import org.jspecify.annotations.NullMarked;
