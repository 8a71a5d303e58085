/**
 * Redis Streams as an {@link dev.oomguard.executors.OverflowStore}: events spilled by any instance,
 * trimmed by age, drained by a consumer group. Lettuce is an optional dependency of this module;
 * only this package needs it.
 */
@NullMarked
package dev.oomguard.executors.redis;

import org.jspecify.annotations.NullMarked;
