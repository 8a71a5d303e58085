/**
 * JMH benchmarks that set each oomguard module against the peer a user would otherwise reach for,
 * on the same work in the same run. Build with {@code ./mvnw -B -pl benchmarks -am package}; list
 * them with {@code java -jar benchmarks/target/benchmarks.jar -l}.
 */
@NullMarked
package dev.oomguard.benchmarks;

import org.jspecify.annotations.NullMarked;
