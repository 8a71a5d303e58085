/**
 * The whole process's memory, not just the heap (incident 2): resident set size, swap, the
 * container's memory limit and the headroom left under it, native memory by NMT category, and a
 * start-up check that max heap plus the non-heap estimate fits the limit.
 *
 * <p>{@link dev.oomguard.metrics.memory.MemorySizing} needs nothing but the JDK; the two binders
 * need Micrometer.
 */
@NullMarked
package dev.oomguard.metrics.memory;

import org.jspecify.annotations.NullMarked;
