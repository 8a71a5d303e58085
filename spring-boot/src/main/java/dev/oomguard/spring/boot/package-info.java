/**
 * Spring Boot 4 auto-configuration for oomguard: each guard wired into the Boot infrastructure it
 * replaces or watches, switchable with {@code oomguard.<part>.enabled}, backing off before a bean
 * of the user's own.
 */
@NullMarked
package dev.oomguard.spring.boot;

import org.jspecify.annotations.NullMarked;
