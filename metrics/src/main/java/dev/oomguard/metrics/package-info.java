/**
 * Micrometer registries whose series cannot grow without bound (incident 4): tag values past a cap
 * fold into an overflow value, a registry-wide budget counts exported series, idle meters expire,
 * and a report names the offenders.
 */
@NullMarked
package dev.oomguard.metrics;

import org.jspecify.annotations.NullMarked;
