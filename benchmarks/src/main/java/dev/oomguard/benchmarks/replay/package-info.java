/**
 * The incident replay: each incident of the project reproduced in a forked JVM with small limits,
 * first with the code the incident's team wrote, then with oomguard, and a table of what happened.
 * Run it with {@code java -cp benchmarks/target/benchmarks.jar
 * dev.oomguard.benchmarks.replay.IncidentReplay}.
 */
@NullMarked
package dev.oomguard.benchmarks.replay;

import org.jspecify.annotations.NullMarked;
