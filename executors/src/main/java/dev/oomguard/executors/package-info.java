/**
 * Executors whose queues cannot eat the heap (incidents 2 and 3): bounded queues with explicit
 * overflow policies, expiry of tasks too old to matter, a saturation signal, a byte-weighted memory
 * budget, and an event processor that spills overflow to Redis instead of to the heap.
 */
@NullMarked
package dev.oomguard.executors;

import org.jspecify.annotations.NullMarked;
